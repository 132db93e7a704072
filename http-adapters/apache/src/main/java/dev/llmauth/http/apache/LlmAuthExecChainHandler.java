package dev.llmauth.http.apache;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.concurrent.CancellableDependency;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates the requests of a classic (blocking) Apache HttpClient 5 with a {@link RequestAuthenticator}.
 *
 * <pre>{@code
 * CloseableHttpClient client = LlmAuthExecChainHandler
 *     .install(HttpClients.custom(), auth.authenticator("openai"))
 *     .build();
 * }</pre>
 *
 * <p>Why {@code install} and {@code of}: HttpClient 5 has an exec chain, so the adapter is added to your client
 * builder ({@code install}, the way to use it); {@code of} is the bare handler, for a chain you assemble yourself.
 * {@code java.net.http.HttpClient} has no chain, so that adapter wraps a client instead ({@code
 * LlmAuthHttpClient.wrap}).
 *
 * <p>The handler runs first in the exec chain, so redirects and retries below it keep the credential of the
 * original target and a redirect to another host never receives it. It proceeds with a copy of the request
 * carrying the authenticator's header edits; the caller's request is never changed. When the server answers 401,
 * the rejected token is invalidated and, when that can help (the credential may produce a different token) and
 * the entity is {@linkplain HttpEntity#isRepeatable() repeatable}, the 401 is consumed and the request is
 * authorized again and sent once more; a second 401 is returned to the caller.
 *
 * <p>Built over a {@link ProviderRouter} instead of one authenticator, it authenticates each request for the
 * provider named by the context attribute {@value ProviderRouter#ATTRIBUTE} ({@code
 * context.setAttribute(ProviderRouter.ATTRIBUTE, "azure")} on the {@code HttpClientContext} passed to {@code
 * execute}), or for the router's default when there is none; a request naming an unknown provider, or none without
 * a default, fails with an {@link IOException} naming the provider before anything is sent.
 *
 * <p>While a token is fetched, the calling thread waits; cancelling the request ({@code
 * HttpUriRequestBase.cancel()}) or interrupting the thread ends the wait. When no token can be obtained the
 * request fails with an {@link IOException} whose cause is the {@link dev.llmauth.api.AuthException}. Response
 * entities, including streams of server-sent events, are returned untouched.
 */
public final class LlmAuthExecChainHandler implements ExecChainHandler {
  /** How often a waiting request checks whether it was cancelled. */
  private static final long CANCEL_CHECK_MILLIS = 25;

  private final @Nullable RequestAuthenticator authenticator;
  private final @Nullable ProviderRouter router;

  private LlmAuthExecChainHandler(@Nullable RequestAuthenticator authenticator, @Nullable ProviderRouter router) {
    this.authenticator = authenticator;
    this.router = router;
  }

  /**
   * Creates the handler, for clients that assemble their exec chain themselves.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the handler
   */
  public static LlmAuthExecChainHandler of(RequestAuthenticator authenticator) {
    return new LlmAuthExecChainHandler(Objects.requireNonNull(authenticator, "authenticator"), null);
  }

  /**
   * Creates the handler over a router, for clients that assemble their exec chain themselves.
   *
   * @param router the providers, from {@code ProviderRouter.of(auth, defaultProvider)}
   * @return the handler
   */
  public static LlmAuthExecChainHandler of(ProviderRouter router) {
    return new LlmAuthExecChainHandler(null, Objects.requireNonNull(router, "router"));
  }

  /**
   * Adds the handler first in a builder's exec chain, under the name {@code llm-auth}.
   *
   * @param builder the client builder
   * @param authenticator the provider's authenticator
   * @return {@code builder}
   */
  public static HttpClientBuilder install(HttpClientBuilder builder, RequestAuthenticator authenticator) {
    return builder.addExecInterceptorFirst(Requests.HANDLER_NAME, of(authenticator));
  }

  /**
   * Adds the handler over a router first in a builder's exec chain, under the name {@code llm-auth}.
   *
   * @param builder the client builder
   * @param router the providers
   * @return {@code builder}
   */
  public static HttpClientBuilder install(HttpClientBuilder builder, ProviderRouter router) {
    return builder.addExecInterceptorFirst(Requests.HANDLER_NAME, of(router));
  }

  @Override
  public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
      throws IOException, HttpException {
    RequestAuthenticator authenticator = Requests.authenticator(this.authenticator, router, scope.clientContext);
    OutgoingRequest view = Requests.view(request, scope.route);
    Authorization authorization = authorize(authenticator, view, scope);
    ClassicHttpResponse response = chain.proceed(copy(authenticator, request, authorization), scope);
    if (response.getCode() != 401 || !authenticator.invalidate(authorization) || !replayable(request.getEntity())) {
      return response;
    }
    EntityUtils.consume(response.getEntity());
    response.close();
    return chain.proceed(copy(authenticator, request, authorize(authenticator, view, scope)), scope);
  }

  private static boolean replayable(@Nullable HttpEntity entity) {
    return entity == null || entity.isRepeatable();
  }

  private static ClassicHttpRequest copy(RequestAuthenticator authenticator, ClassicHttpRequest request,
      Authorization authorization) throws IOException {
    ClassicHttpRequest copy = ClassicRequestBuilder.copy(request).build();
    Requests.apply(copy, authorization, authenticator.provider());
    return copy;
  }

  private static Authorization authorize(RequestAuthenticator authenticator, OutgoingRequest view,
      ExecChain.Scope scope) throws IOException {
    CompletableFuture<Authorization> future = authenticator.authorizeAsync(view);
    try {
      while (true) {
        try {
          return future.get(CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException pending) {
          if (scope.originalRequest instanceof CancellableDependency c && c.isCancelled()) {
            future.cancel(false);
            throw new InterruptedIOException("request cancelled while waiting for a token for provider '"
                + authenticator.provider() + "'");
          }
        }
      }
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a token for provider '"
          + authenticator.provider() + "'");
    } catch (ExecutionException e) {
      throw Requests.ioException(e);
    }
  }

  @Override
  public String toString() {
    return "LlmAuthExecChainHandler[" + (authenticator != null ? authenticator : router) + "]";
  }
}
