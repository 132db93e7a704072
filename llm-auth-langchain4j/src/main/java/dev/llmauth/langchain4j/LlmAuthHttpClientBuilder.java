package dev.llmauth.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import dev.llmauth.api.RequestAuthenticator;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A LangChain4j {@link HttpClientBuilder} whose clients authenticate every request with llm-auth, for {@code
 * OpenAiChatModel}, {@code OpenAiStreamingChatModel} and every other model that takes an {@code
 * httpClientBuilder}:
 *
 * <pre>{@code
 * try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(Path.of("llm-auth.jsonc")))) {
 *   ChatModel model = OpenAiChatModel.builder()
 *       .httpClientBuilder(LlmAuthHttpClientBuilder.of(auth.authenticator("azure")))
 *       .baseUrl("https://my-resource.openai.azure.com/openai/v1").modelName("gpt-4o-mini").build();
 *   String answer = model.chat("Say hello.");
 * }
 * }</pre>
 *
 * <p>Give the model no API key: the credential (API key, Entra ID, Codex OAuth) comes from llm-auth, and the
 * model's own {@code Authorization} header, if any, is replaced. The clients it builds wrap the HTTP client that
 * LangChain4j would have used ({@link HttpClientBuilderLoader}, the JDK client by default) or the one given to
 * {@link #of(HttpClientBuilder, RequestAuthenticator)}, and sit below LangChain4j's request logging, so a logged
 * request never shows the credential.
 *
 * <p>Both calls of {@link HttpClient} are authenticated: {@code execute(request)} waits while a token is fetched
 * (never while a usable one is cached); the streaming {@code execute(request, parser, listener)} never blocks,
 * and sends the request once the token is there. When the server answers 401, the rejected token is invalidated
 * and, when a new one may help, the request is authorized again and sent once more: a second 401 reaches the
 * caller as LangChain4j's {@code HttpException}, as does a 401 on a stream whose listener saw nothing yet.
 * When no token can be obtained, {@code execute(request)} throws the {@link dev.llmauth.api.AuthException}, and
 * a stream's listener gets it in {@code onError}, with nothing sent. Server-sent events reach the listener as
 * the wrapped client delivers them, untouched.
 *
 * <p>LangChain4j's jars have no module names, so this artifact is used on the class path; its automatic module
 * name is {@code dev.llmauth.langchain4j}. It registers no {@code HttpClientBuilderFactory}: LangChain4j allows
 * only one on the class path, and an authenticated client needs to be told its provider.
 */
public final class LlmAuthHttpClientBuilder implements HttpClientBuilder {
  private final HttpClientBuilder delegate;
  private final RequestAuthenticator authenticator;

  private LlmAuthHttpClientBuilder(HttpClientBuilder delegate, RequestAuthenticator authenticator) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  /**
   * Authenticates the HTTP client LangChain4j finds on the class path ({@code langchain4j-http-client-jdk} unless
   * another is there).
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the builder
   */
  public static LlmAuthHttpClientBuilder of(RequestAuthenticator authenticator) {
    return of(HttpClientBuilderLoader.loadHttpClientBuilder(), authenticator);
  }

  /**
   * Authenticates the clients of another builder, such as {@code JdkHttpClient.builder()} with a proxy.
   *
   * @param delegate the builder of the clients that send the requests
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the builder
   */
  public static LlmAuthHttpClientBuilder of(HttpClientBuilder delegate, RequestAuthenticator authenticator) {
    return new LlmAuthHttpClientBuilder(delegate, authenticator);
  }

  /**
   * Authenticates an HTTP client already built.
   *
   * @param client the client that sends the requests
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return a client that authorizes every request it sends
   */
  public static HttpClient wrap(HttpClient client, RequestAuthenticator authenticator) {
    return new AuthenticatedHttpClient(client, authenticator);
  }

  @Override
  public @Nullable Duration connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public LlmAuthHttpClientBuilder connectTimeout(@Nullable Duration timeout) {
    delegate.connectTimeout(timeout);
    return this;
  }

  @Override
  public @Nullable Duration readTimeout() {
    return delegate.readTimeout();
  }

  @Override
  public LlmAuthHttpClientBuilder readTimeout(@Nullable Duration timeout) {
    delegate.readTimeout(timeout);
    return this;
  }

  @Override
  public HttpClient build() {
    return wrap(delegate.build(), authenticator);
  }

  @Override
  public String toString() {
    return "LlmAuthHttpClientBuilder[" + authenticator + "]";
  }
}
