package dev.llmauth.conformance;

import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The hooks an HTTP adapter supplies to {@link HttpAdapterVerification}: how to build a client authenticated by
 * a {@link RequestAuthenticator}, and how to send a {@link TestRequest} with it the way an application would.
 */
public interface AdapterDriver {
  /** @return a short name for reports, such as {@code okhttp} */
  String name();

  /**
   * Builds a client that authenticates every request with {@code authenticator}. Must not send anything.
   *
   * @param authenticator the authenticator
   * @return the client
   */
  Client open(RequestAuthenticator authenticator);

  /**
   * Whether {@link TestRequest#oneShotBody()} can be honoured: the client has a body type that can be read only
   * once and says so. When {@code false}, the rule about such bodies is skipped.
   *
   * @return whether one-shot bodies are supported
   */
  default boolean supportsOneShotBodies() {
    return false;
  }

  /**
   * The exception type the client reports failures with, which a credential failure must surface as.
   *
   * @return {@link java.io.IOException} by default
   */
  default Class<? extends Throwable> failureType() {
    return java.io.IOException.class;
  }

  /**
   * Builds a client that authenticates each request for the provider it names, through {@code router}. Must not
   * send anything. The routing rules (R1–R4) are skipped when this returns {@code null}, the default.
   *
   * @param router the providers
   * @return the client, or {@code null} when the adapter cannot route per request
   */
  default @Nullable RoutingClient openRouting(ProviderRouter router) {
    return null;
  }

  /** A client over a {@link ProviderRouter}. */
  interface RoutingClient extends AutoCloseable {
    /**
     * Sends a request naming {@code provider} the way the adapter documents (OkHttp: the {@link
     * ProviderRouter.Route} tag; Apache: the context attribute {@link ProviderRouter#ATTRIBUTE}; java.net.http: the
     * header {@link ProviderRouter#HEADER}), and waits for the response head.
     *
     * @param request what to send
     * @param provider the provider to name, or {@code null} to name none
     * @return the response
     * @throws Exception the client's own exception when the request fails
     */
    TestResponse send(TestRequest request, @Nullable String provider) throws Exception;

    /** Releases the client. */
    @Override
    default void close() throws java.io.IOException {}
  }

  /** One authenticated client. */
  interface Client extends AutoCloseable {
    /**
     * Sends a request and waits for the response head. The body must stay a live stream: do not read it.
     *
     * @param request what to send
     * @return the response
     * @throws Exception the client's own exception when the request fails
     */
    TestResponse send(TestRequest request) throws Exception;

    /**
     * Sends a request without waiting, if the client has an asynchronous API: cancelling the returned future must
     * cancel the call the way an application would (for example {@code Call.cancel()}).
     *
     * @param request what to send
     * @return the pending response, or {@code null} when the client has no asynchronous API (the cancellation
     *     rule is then skipped)
     */
    default @Nullable CompletableFuture<TestResponse> sendAsync(TestRequest request) {
      return null;
    }

    /** Releases the client. */
    @Override
    default void close() throws java.io.IOException {}
  }
}
