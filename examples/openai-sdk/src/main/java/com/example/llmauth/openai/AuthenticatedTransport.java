package com.example.llmauth.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientImpl;
import com.openai.client.okhttp.OkHttpClient;
import com.openai.core.ClientOptions;
import com.openai.core.RequestOptions;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpRequestBody;
import com.openai.core.http.HttpResponse;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The openai-java SDK's transport, authenticated by llm-auth: every request the SDK sends (each retry included)
 * gets the headers of the provider's credential method (API key, Entra ID, Codex OAuth), with tokens cached and
 * refreshed by llm-auth. A 401 invalidates the token and, when a new one may help and the body can be sent
 * again, the request is authorized again and sent once more.
 *
 * <pre>{@code
 * try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(Path.of("llm-auth.jsonc")))) {
 *   OpenAIClient client = AuthenticatedTransport.openAiClient(auth.authenticator("openai"));
 *   ChatCompletion answer = client.chat().completions().create(params);
 * }
 * }</pre>
 *
 * <p>The SDK's public builders take an API key or a bearer-token supplier, not header edits, so the client is
 * assembled from {@link ClientOptions} with this transport. The SDK insists on a credential of its own; it gets
 * a placeholder key whose {@code Authorization} header this transport always removes before llm-auth's headers
 * are set. The SDK's retries and logging sit above this transport, so its logs never see llm-auth's token.
 */
public final class AuthenticatedTransport implements HttpClient {
  /** What the SDK is given as its own key; never sent. */
  private static final String SDK_PLACEHOLDER_KEY = "llm-auth";

  private final HttpClient delegate;
  private final RequestAuthenticator authenticator;

  /**
   * Wraps a transport.
   *
   * @param delegate the SDK transport that sends the requests
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   */
  public AuthenticatedTransport(HttpClient delegate, RequestAuthenticator authenticator) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  /**
   * An SDK client for the provider: its base URL, the SDK's OkHttp transport, authenticated by llm-auth.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the client; closing it does not close the {@code LlmAuth}
   */
  public static OpenAIClient openAiClient(RequestAuthenticator authenticator) {
    ClientOptions.Builder options = ClientOptions.builder()
        .httpClient(new AuthenticatedTransport(OkHttpClient.builder().build(), authenticator))
        .apiKey(SDK_PLACEHOLDER_KEY);
    String baseUrl = authenticator.config().effectiveBaseUrl();
    if (baseUrl != null) {
      options.baseUrl(baseUrl);
    }
    return new OpenAIClientImpl(options.build());
  }

  @Override
  public HttpResponse execute(HttpRequest request, RequestOptions requestOptions) {
    Authorization authorization = authenticator.authorize(view(request));
    HttpResponse response = delegate.execute(apply(request, authorization), requestOptions);
    if (!replay(request, response, authorization)) {
      return response;
    }
    response.close();
    return delegate.execute(apply(request, authenticator.authorize(view(request))), requestOptions);
  }

  @Override
  public CompletableFuture<HttpResponse> executeAsync(HttpRequest request, RequestOptions requestOptions) {
    return authenticator.authorizeAsync(view(request)).thenCompose(authorization ->
        delegate.executeAsync(apply(request, authorization), requestOptions).thenCompose(response -> {
          if (!replay(request, response, authorization)) {
            return CompletableFuture.completedFuture(response);
          }
          response.close();
          return authenticator.authorizeAsync(view(request))
              .thenCompose(again -> delegate.executeAsync(apply(request, again), requestOptions));
        }));
  }

  /** Whether a 401 is worth one more attempt: a new token may help and the body can be sent again. */
  private boolean replay(HttpRequest request, HttpResponse response, Authorization sent) {
    HttpRequestBody body = request.body();
    return response.statusCode() == 401 && (body == null || body.repeatable()) && authenticator.invalidate(sent);
  }

  private static OutgoingRequest view(HttpRequest request) {
    return OutgoingRequest.of(request.method().name(), URI.create(request.url()), request.headers().asMap());
  }

  /** A copy of the request: the SDK's placeholder header out, then llm-auth's removals and headers. */
  private static HttpRequest apply(HttpRequest request, Authorization authorization) {
    HttpRequest.Builder copy = request.toBuilder().removeHeaders("Authorization");
    authorization.headersToRemove().forEach(copy::removeHeaders);
    authorization.forEachHeader(copy::replaceHeaders);
    return copy.build();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "AuthenticatedTransport[" + authenticator + "]";
  }
}
