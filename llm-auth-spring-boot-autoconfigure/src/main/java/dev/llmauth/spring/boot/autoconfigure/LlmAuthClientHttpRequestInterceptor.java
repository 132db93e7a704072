package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Authenticates {@code RestClient} and {@code RestTemplate} requests as one llm-auth provider.
 *
 * <p>Each request gets the provider's credential headers (blocking only while a token is fetched, never while a
 * usable one is cached). When the server answers 401, the rejected credential is handed back; if a new one may
 * help, the request is authorized again and sent once more, and a second 401 goes back to the caller. When no
 * credential can be obtained the request is not sent and the {@link dev.llmauth.api.AuthException} that says why
 * is thrown.
 */
public final class LlmAuthClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {
  private final RequestAuthenticator authenticator;

  /**
   * Creates the interceptor.
   *
   * @param authenticator the provider's authenticator, from {@link RequestAuthenticators#get(String)}
   */
  public LlmAuthClientHttpRequestInterceptor(RequestAuthenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
      throws IOException {
    Authorization authorization = authenticator.authorize(outgoing(request));
    apply(authorization, request.getHeaders());
    ClientHttpResponse response = execution.execute(request, body);
    if (response.getStatusCode().value() != 401 || !authenticator.invalidate(authorization)) {
      return response;
    }
    response.close();
    apply(authenticator.authorize(outgoing(request)), request.getHeaders());
    return execution.execute(request, body);
  }

  @Override
  public String toString() {
    return "LlmAuthClientHttpRequestInterceptor[" + authenticator.provider() + "]";
  }

  static void apply(Authorization authorization, HttpHeaders headers) {
    for (String name : authorization.headersToRemove()) {
      headers.remove(name);
    }
    authorization.forEachHeader(headers::set);
  }

  private static OutgoingRequest outgoing(HttpRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.getHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
    return OutgoingRequest.of(request.getMethod().name(), request.getURI(), headers);
  }
}
