package dev.llmauth.http.apache;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecChainHandler;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncDataConsumer;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.support.BasicRequestBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates the requests of an async Apache HttpClient 5 with a {@link RequestAuthenticator}.
 *
 * <pre>{@code
 * CloseableHttpAsyncClient client = LlmAuthAsyncExecChainHandler
 *     .install(HttpAsyncClients.custom(), auth.authenticator("openai"))
 *     .build();
 * }</pre>
 *
 * <p>Why {@code install} and {@code of}: HttpClient 5 has an exec chain, so the adapter is added to your client
 * builder ({@code install}, the way to use it); {@code of} is the bare handler, for a chain you assemble yourself.
 * {@code java.net.http.HttpClient} has no chain, so that adapter wraps a client instead ({@code
 * LlmAuthHttpClient.wrap}).
 *
 * <p>The handler runs first in the exec chain and never blocks an I/O thread: the request proceeds when its
 * token is ready. It proceeds with a copy of the request carrying the authenticator's header edits; the
 * caller's request is never changed. When the server answers 401, the rejected token is invalidated and, when
 * that can help (the credential may produce a different token) and the entity producer is {@linkplain
 * AsyncEntityProducer#isRepeatable() repeatable}, the 401 body is discarded and the request is authorized again
 * and sent once more; a second 401 reaches the caller.
 *
 * <p>Built over a {@link ProviderRouter} instead of one authenticator, it authenticates each request for the
 * provider named by the context attribute {@value ProviderRouter#ATTRIBUTE} of the {@code HttpClientContext}
 * passed to {@code execute}, or for the router's default when there is none; a request naming an unknown provider,
 * or none without a default, fails with an {@link IOException} naming the provider before anything is sent.
 *
 * <p>Cancelling the future returned by {@code execute} ends the request's wait for a token. When no token can
 * be obtained the future fails with an {@link IOException} whose cause is the {@link
 * dev.llmauth.api.AuthException}. Response bodies, including streams of server-sent events, reach the caller's
 * consumer untouched.
 */
public final class LlmAuthAsyncExecChainHandler implements AsyncExecChainHandler {
  private final @Nullable RequestAuthenticator authenticator;
  private final @Nullable ProviderRouter router;

  private LlmAuthAsyncExecChainHandler(@Nullable RequestAuthenticator authenticator,
      @Nullable ProviderRouter router) {
    this.authenticator = authenticator;
    this.router = router;
  }

  /**
   * Creates the handler, for clients that assemble their exec chain themselves.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the handler
   */
  public static LlmAuthAsyncExecChainHandler of(RequestAuthenticator authenticator) {
    return new LlmAuthAsyncExecChainHandler(Objects.requireNonNull(authenticator, "authenticator"), null);
  }

  /**
   * Creates the handler over a router, for clients that assemble their exec chain themselves.
   *
   * @param router the providers, from {@code ProviderRouter.of(auth, defaultProvider)}
   * @return the handler
   */
  public static LlmAuthAsyncExecChainHandler of(ProviderRouter router) {
    return new LlmAuthAsyncExecChainHandler(null, Objects.requireNonNull(router, "router"));
  }

  /**
   * Adds the handler first in a builder's exec chain, under the name {@code llm-auth}.
   *
   * @param builder the client builder
   * @param authenticator the provider's authenticator
   * @return {@code builder}
   */
  public static HttpAsyncClientBuilder install(HttpAsyncClientBuilder builder, RequestAuthenticator authenticator) {
    return builder.addExecInterceptorFirst(Requests.HANDLER_NAME, of(authenticator));
  }

  /**
   * Adds the handler over a router first in a builder's exec chain, under the name {@code llm-auth}.
   *
   * @param builder the client builder
   * @param router the providers
   * @return {@code builder}
   */
  public static HttpAsyncClientBuilder install(HttpAsyncClientBuilder builder, ProviderRouter router) {
    return builder.addExecInterceptorFirst(Requests.HANDLER_NAME, of(router));
  }

  @Override
  public void execute(
      HttpRequest request,
      @Nullable AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback) throws HttpException, IOException {
    RequestAuthenticator chosen;
    try {
      chosen = Requests.authenticator(authenticator, router, scope.clientContext);
    } catch (IOException e) {
      callback.failed(e);
      return;
    }
    attempt(chosen, request, entityProducer, scope, chain, callback, true);
  }

  private static void attempt(
      RequestAuthenticator authenticator,
      HttpRequest request,
      @Nullable AsyncEntityProducer entityProducer,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback,
      boolean first) throws HttpException, IOException {
    CompletableFuture<Authorization> future = authenticator.authorizeAsync(Requests.view(request, scope.route));
    scope.cancellableDependency.setDependency(() -> future.cancel(false));
    future.whenComplete((authorization, failure) -> {
      if (failure != null) {
        callback.failed(Requests.ioException(failure));
        return;
      }
      try {
        HttpRequest copy = BasicRequestBuilder.copy(request).build();
        Requests.apply(copy, authorization, authenticator.provider());
        chain.proceed(copy, entityProducer, scope, first
            ? new FirstAttempt(authenticator, request, entityProducer, scope, chain, callback, authorization)
            : callback);
      } catch (HttpException | IOException | RuntimeException e) {
        callback.failed(e);
      }
    });
  }

  @Override
  public String toString() {
    return "LlmAuthAsyncExecChainHandler[" + (authenticator != null ? authenticator : router) + "]";
  }

  /** Watches the first response for a 401 that a new token may fix. */
  private static final class FirstAttempt implements AsyncExecCallback {
    private final RequestAuthenticator authenticator;
    private final HttpRequest request;
    private final @Nullable AsyncEntityProducer entityProducer;
    private final AsyncExecChain.Scope scope;
    private final AsyncExecChain chain;
    private final AsyncExecCallback callback;
    private final Authorization authorization;
    private volatile boolean replay;

    FirstAttempt(RequestAuthenticator authenticator, HttpRequest request,
        @Nullable AsyncEntityProducer entityProducer, AsyncExecChain.Scope scope, AsyncExecChain chain,
        AsyncExecCallback callback, Authorization authorization) {
      this.authenticator = authenticator;
      this.request = request;
      this.entityProducer = entityProducer;
      this.scope = scope;
      this.chain = chain;
      this.callback = callback;
      this.authorization = authorization;
    }

    @Override
    public @Nullable AsyncDataConsumer handleResponse(HttpResponse response, @Nullable EntityDetails details)
        throws HttpException, IOException {
      if (response.getCode() == 401 && authenticator.invalidate(authorization)
          && (entityProducer == null || entityProducer.isRepeatable())) {
        replay = true;
        return null;
      }
      return callback.handleResponse(response, details);
    }

    @Override
    public void handleInformationResponse(HttpResponse response) throws HttpException, IOException {
      callback.handleInformationResponse(response);
    }

    @Override
    public void completed() {
      if (!replay) {
        callback.completed();
        return;
      }
      if (entityProducer != null) {
        entityProducer.releaseResources();
      }
      try {
        attempt(authenticator, request, entityProducer, scope, chain, callback, false);
      } catch (HttpException | IOException | RuntimeException e) {
        callback.failed(e);
      }
    }

    @Override
    public void failed(Exception cause) {
      callback.failed(cause);
    }
  }
}
