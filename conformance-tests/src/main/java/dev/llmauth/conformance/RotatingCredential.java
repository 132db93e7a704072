package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A credential for unit tests of an adapter: it hands out {@code tok-1}, {@code tok-2}, … as bearer tokens, a new
 * one after each invalidation of the current one, and fails when told to. Pair it with {@link
 * dev.llmauth.conformance.mock.MockModelServer#rejectToken(String)} to drive 401 handling.
 *
 * <pre>{@code
 * RotatingCredential credential = new RotatingCredential();
 * RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("test").build(), credential);
 * server.rejectToken("tok-1"); // the first request gets a 401, the replay carries tok-2
 * }</pre>
 */
public final class RotatingCredential implements Credential {
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile boolean failing;
  private AccessToken current;

  /** Creates a credential that has fetched nothing yet. */
  public RotatingCredential() {}

  /** @return how many tokens it has handed out so far */
  public int fetches() {
    return fetches.get();
  }

  /**
   * Makes every later {@link #token()} fail with a transient {@link TokenException}, or stops that.
   *
   * @param failing whether to fail
   */
  public void failing(boolean failing) {
    this.failing = failing;
  }

  @Override
  public String method() {
    return "rotating";
  }

  @Override
  public TokenUse use() {
    return TokenUse.BEARER;
  }

  @Override
  public String describe() {
    return "rotating test credential";
  }

  @Override
  public synchronized CompletableFuture<AccessToken> token() {
    if (failing) {
      return CompletableFuture.failedFuture(new TokenException("test issuer is down; start it", null));
    }
    if (current == null) {
      current = AccessToken.nonExpiring(Secret.of("tok-" + fetches.incrementAndGet()));
    }
    return CompletableFuture.completedFuture(current);
  }

  @Override
  public synchronized boolean invalidate(AccessToken token) {
    if (current != null && current.value().equals(token.value())) {
      current = null;
    }
    return true;
  }

  @Override
  public String toString() {
    return "RotatingCredential[fetches=" + fetches.get() + "]";
  }
}
