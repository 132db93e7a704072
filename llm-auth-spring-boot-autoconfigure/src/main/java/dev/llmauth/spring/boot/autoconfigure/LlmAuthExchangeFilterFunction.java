package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * Authenticates {@code WebClient} requests as one llm-auth provider, without blocking: the token comes from
 * {@link RequestAuthenticator#authorizeAsync}, so no thread waits while it is fetched.
 *
 * <p>When the server answers 401, the response body is released and the rejected credential handed back; if a
 * new one may help, the request is authorized again and sent once more, and a second 401 goes back to the caller.
 * When no credential can be obtained the request is not sent and the {@code Mono} fails with the {@link
 * dev.llmauth.api.AuthException} that says why. Cancelling the subscription stops only this request's wait.
 */
public final class LlmAuthExchangeFilterFunction implements ExchangeFilterFunction {
  private final RequestAuthenticator authenticator;

  /**
   * Creates the filter.
   *
   * @param authenticator the provider's authenticator, from {@link RequestAuthenticators#get(String)}
   */
  public LlmAuthExchangeFilterFunction(RequestAuthenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    return authorize(request).flatMap(first -> next.exchange(authorized(request, first)).flatMap(response -> {
      if (response.statusCode().value() != 401 || !authenticator.invalidate(first)) {
        return Mono.just(response);
      }
      return response.releaseBody().then(authorize(request))
          .flatMap(second -> next.exchange(authorized(request, second)));
    }));
  }

  @Override
  public String toString() {
    return "LlmAuthExchangeFilterFunction[" + authenticator.provider() + "]";
  }

  private Mono<Authorization> authorize(ClientRequest request) {
    return Mono.defer(() -> Mono.fromFuture(authenticator.authorizeAsync(outgoing(request))))
        .onErrorMap(t -> !(t instanceof dev.llmauth.api.AuthException), RequestAuthenticator::asAuthException);
  }

  private static ClientRequest authorized(ClientRequest request, Authorization authorization) {
    return ClientRequest.from(request)
        .headers(h -> LlmAuthClientHttpRequestInterceptor.apply(authorization, h)).build();
  }

  private static OutgoingRequest outgoing(ClientRequest request) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.headers().forEach((name, values) -> headers.put(name, List.copyOf(values)));
    return OutgoingRequest.of(request.method().name(), request.url(), headers);
  }
}
