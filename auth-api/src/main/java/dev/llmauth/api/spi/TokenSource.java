package dev.llmauth.api.spi;

import dev.llmauth.api.AccessToken;
import java.util.concurrent.CompletionStage;

/**
 * Fetches tokens from an issuer: an identity endpoint, an OAuth server, a file. The {@link
 * dev.llmauth.api.TokenCache} decides when to call it and guarantees that it is never called twice at once for
 * one {@link TokenRequest}.
 *
 * <p>The cache calls {@link #fetch} on its own executor, so an implementation may block. Failures are reported
 * through the returned stage, preferably as a {@link dev.llmauth.api.TokenException} that says whether the
 * failure is permanent and when to retry; any other exception is treated as transient. The cache may cancel the
 * returned stage's future when it is closed; cancelling must not corrupt the source.
 *
 * <p>A source that retries transient failures itself (MSAL does) should not be retried again by its caller;
 * the cache retries only refreshes ahead of expiry, with backoff.
 */
@FunctionalInterface
public interface TokenSource {
  /**
   * Fetches a token.
   *
   * @param request the scopes and identity
   * @param reason why the token is needed; {@link FetchReason#INVALIDATED} means bypass any cache of your own
   * @return the token, or a failed stage
   */
  CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason);

  /**
   * A short description for diagnostics, such as {@code "managed identity via App Service"}; never a secret.
   *
   * @return the description
   */
  default String describe() {
    return getClass().getSimpleName();
  }

  /**
   * Adapts a blocking fetch.
   *
   * @param fetch the blocking fetch
   * @param description what {@link #describe()} returns
   * @return a source whose stage completes with what {@code fetch} returns or throws
   */
  static TokenSource blocking(BlockingFetch fetch, String description) {
    return new TokenSource() {
      @Override
      public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
        try {
          return java.util.concurrent.CompletableFuture.completedFuture(fetch.fetch(request, reason));
        } catch (Exception e) {
          return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
      }

      @Override
      public String describe() {
        return description;
      }

      @Override
      public String toString() {
        return "TokenSource[" + description + "]";
      }
    };
  }

  /** A fetch that blocks its thread, for {@link #blocking}. */
  @FunctionalInterface
  interface BlockingFetch {
    /**
     * Fetches a token, blocking.
     *
     * @param request the scopes and identity
     * @param reason why the token is needed
     * @return the token
     * @throws Exception any failure
     */
    AccessToken fetch(TokenRequest request, FetchReason reason) throws Exception;
  }
}
