package dev.llmauth.openai;

import com.openai.core.RequestOptions;
import com.openai.core.http.Headers;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpRequestBody;
import com.openai.core.http.HttpResponse;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The SDK's transport with llm-auth's headers on every attempt. The SDK's retry and logging layers sit above it,
 * so each retry is authorized again and no SDK log line sees the credential.
 */
final class AuthenticatedTransport implements HttpClient {
  private final HttpClient delegate;
  private final RequestAuthenticator authenticator;

  AuthenticatedTransport(HttpClient delegate, RequestAuthenticator authenticator) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
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
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    AtomicReference<@Nullable CompletableFuture<?>> current = new AtomicReference<>();
    result.whenComplete((r, t) -> {
      CompletableFuture<?> step = current.get();
      if (result.isCancelled() && step != null) {
        step.cancel(true);
      }
    });
    attempt(request, requestOptions, true, result, current);
    return result;
  }

  private void attempt(HttpRequest request, RequestOptions requestOptions, boolean first,
      CompletableFuture<HttpResponse> result, AtomicReference<@Nullable CompletableFuture<?>> current) {
    CompletableFuture<Authorization> authorization = authenticator.authorizeAsync(view(request));
    if (!step(current, authorization, result)) {
      return;
    }
    authorization.whenComplete((a, failure) -> {
      if (failure != null) {
        result.completeExceptionally(RequestAuthenticator.asAuthException(failure));
        return;
      }
      CompletableFuture<HttpResponse> exchange = delegate.executeAsync(apply(request, a), requestOptions);
      if (!step(current, exchange, result)) {
        exchange.thenAccept(HttpResponse::close);
        return;
      }
      exchange.whenComplete((response, error) -> {
        if (error != null) {
          result.completeExceptionally(error);
        } else if (first && replay(request, response, a)) {
          response.close();
          attempt(request, requestOptions, false, result, current);
        } else if (!result.complete(response)) {
          response.close();
        }
      });
    });
  }

  /** Records the step under way; cancels it when the caller has already cancelled. */
  private static boolean step(AtomicReference<@Nullable CompletableFuture<?>> current, CompletableFuture<?> step,
      CompletableFuture<?> result) {
    current.set(step);
    if (result.isCancelled()) {
      step.cancel(true);
      return false;
    }
    return true;
  }

  /**
   * Whether a 401 is worth one more attempt: the rejected token is invalidated in any case; a replay follows when
   * a new token may help and the body can be sent again.
   */
  private boolean replay(HttpRequest request, HttpResponse response, Authorization sent) {
    if (response.statusCode() != 401 || !authenticator.invalidate(sent)) {
      return false;
    }
    HttpRequestBody body = request.body();
    return body == null || body.repeatable();
  }

  /** A view that reads the request's headers where they are. */
  private static OutgoingRequest view(HttpRequest request) {
    URI uri = URI.create(request.url());
    Headers headers = request.headers();
    return new OutgoingRequest() {
      @Override
      public String method() {
        return request.method().name();
      }

      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public @Nullable String header(String name) {
        List<String> values = headers.values(name);
        return values.isEmpty() ? null : values.get(0);
      }
    };
  }

  /** A copy of the request with llm-auth's removals, then its headers. */
  static HttpRequest apply(HttpRequest request, Authorization authorization) {
    HttpRequest.Builder copy = request.toBuilder();
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
