package dev.llmauth.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.OpenAIClientAsyncImpl;
import com.openai.client.OpenAIClientImpl;
import com.openai.client.okhttp.OkHttpClient;
import com.openai.core.ClientOptions;
import com.openai.core.http.HttpClient;
import com.openai.credential.BearerTokenCredential;
import com.openai.credential.Credential;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * openai-java clients authenticated by llm-auth: OpenAI, Azure OpenAI (API key or Entra ID) and the ChatGPT/Codex
 * backend, with the provider's base URL and credential method taken from its llm-auth configuration.
 *
 * <pre>{@code
 * try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(Path.of("llm-auth.jsonc")))) {
 *   OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("azure"));
 *   ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
 *       .model("gpt-4o-mini").addUserMessage("Say hello.").build());
 * }
 * }</pre>
 *
 * <p>Authentication happens in the SDK's transport ({@link HttpClient}), below its retry and logging layers:
 * every attempt the SDK makes, each retry included, is authorized with the credential's current token; a 401
 * invalidates the rejected token and, when a new one may help and the body can be sent again, the request is
 * authorized again and sent once more (a second 401 goes back to the SDK, which raises {@code
 * UnauthorizedException}). Response bodies, streams of server-sent events included, pass through untouched. The
 * SDK holds no key and no token: its {@link ClientOptions} get a placeholder credential whose header the
 * transport replaces, so nothing of the secret reaches the SDK's options, logs or exceptions. When no token can be obtained, the call fails with the
 * {@link dev.llmauth.api.AuthException} that says why.
 *
 * <p>For a plain bearer credential (an OpenAI key, Entra ID) where a {@link Credential} is all that can be
 * plugged in, {@link #bearerTokenCredential} gives one; it has no 401 replay.
 *
 * <p>The openai-java jars have no module names, so this artifact is used on the class path; its automatic module
 * name is {@code dev.llmauth.openai}.
 */
public final class LlmAuthOpenAI {
  /**
   * The SDK insists on a credential of its own before it sends anything; it gets this one, whose {@code
   * Authorization} header the transport always removes before llm-auth's headers are set. Never sent.
   */
  private static final Credential IN_TRANSPORT = BearerTokenCredential.create(() -> "set-by-llm-auth");

  private LlmAuthOpenAI() {}

  /**
   * A client for the provider, on the SDK's OkHttp transport.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the client; closing it does not close the {@code LlmAuth}
   * @throws IllegalArgumentException when the provider sets {@code providerDataHeader}, see {@link #clientOptions}
   */
  public static OpenAIClient client(RequestAuthenticator authenticator) {
    return new OpenAIClientImpl(clientOptions(authenticator).build());
  }

  /**
   * An asynchronous client for the provider, on the SDK's OkHttp transport. It never blocks a thread while a
   * token is fetched.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the client; closing it does not close the {@code LlmAuth}
   * @throws IllegalArgumentException when the provider sets {@code providerDataHeader}, see {@link #clientOptions}
   */
  public static OpenAIClientAsync asyncClient(RequestAuthenticator authenticator) {
    return new OpenAIClientAsyncImpl(clientOptions(authenticator).build());
  }

  /**
   * The SDK's client options for the provider, to change before building a client, for example {@code
   * maxRetries}, {@code timeout} or {@code azureServiceVersion}: {@code new
   * OpenAIClientImpl(LlmAuthOpenAI.clientOptions(a).maxRetries(4).build())}. Keep the transport and give the
   * builder no API key or credential.
   *
   * <p>The SDK's OkHttp transport follows redirects; when one leads to another host it drops {@code
   * Authorization} and {@code api-key}, but would pass on any other header. A provider whose credential travels
   * in a {@code providerDataHeader} is therefore refused here: give {@link #transport} a transport that does not
   * follow redirects instead.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return a builder with the authenticated OkHttp transport and the provider's base URL
   * @throws IllegalArgumentException when the provider sets {@code providerDataHeader}
   */
  public static ClientOptions.Builder clientOptions(RequestAuthenticator authenticator) {
    String dataHeader = authenticator.providerDataHeader();
    if (dataHeader != null) {
      throw new IllegalArgumentException("provider '" + authenticator.provider() + "' sends its credential in the "
          + dataHeader + " header (providers." + authenticator.provider() + ".providerDataHeader), which the SDK's "
          + "OkHttp transport passes on when it follows a redirect to another host; build the client from "
          + "LlmAuthOpenAI.transport(yourTransport, authenticator) with a transport that does not follow redirects");
    }
    ClientOptions.Builder options = ClientOptions.builder()
        .httpClient(transport(OkHttpClient.builder().build(), authenticator))
        .credential(IN_TRANSPORT);
    String baseUrl = authenticator.baseUrl();
    if (baseUrl != null) {
      options.baseUrl(baseUrl);
    }
    return options;
  }

  /**
   * Authenticates another SDK transport.
   *
   * @param delegate the transport that sends the requests
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return a transport that authorizes every request it sends
   */
  public static HttpClient transport(HttpClient delegate, RequestAuthenticator authenticator) {
    return new AuthenticatedTransport(delegate, authenticator);
  }

  /**
   * A bearer-token credential for builders that take only a {@link Credential}, such as {@code
   * OpenAIOkHttpClient.builder().credential(...)}. Each request asks llm-auth for the current token (cached and
   * refreshed as usual), waiting on the calling thread while one is fetched, even for the SDK's async client.
   * The SDK computes the header once per call, so its retries repeat that token, and a 401 is not replayed.
   * Methods that need more than {@code Authorization: Bearer} (an Azure {@code api-key}, a Codex account header,
   * a provider-data header, static headers) fail the request with an {@link IllegalStateException} that names
   * the header: use {@link #client} for those.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the credential
   */
  public static Credential bearerTokenCredential(RequestAuthenticator authenticator) {
    Objects.requireNonNull(authenticator, "authenticator");
    String base = authenticator.baseUrl();
    OutgoingRequest probe = OutgoingRequest.of("POST", URI.create(base == null ? "https://api.openai.com/v1" : base),
        Map.of());
    return BearerTokenCredential.create(() -> bearerToken(authenticator, authenticator.authorize(probe)));
  }

  private static String bearerToken(RequestAuthenticator authenticator, Authorization authorization) {
    AtomicReference<String> token = new AtomicReference<>();
    authorization.forEachHeader((name, value) -> {
      if (name.equalsIgnoreCase("Authorization") && value.startsWith("Bearer ")) {
        token.set(value.substring("Bearer ".length()));
      } else {
        throw new IllegalStateException("provider '" + authenticator.provider() + "' sends the header " + name
            + ", which a bearer-token credential cannot carry; build the client with LlmAuthOpenAI.client(...)");
      }
    });
    String value = token.get();
    if (value == null) {
      throw new IllegalStateException("provider '" + authenticator.provider() + "' sends no Authorization: Bearer "
          + "header; build the client with LlmAuthOpenAI.client(...)");
    }
    return value;
  }
}
