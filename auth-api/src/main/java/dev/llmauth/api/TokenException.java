package dev.llmauth.api;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A token source failed to produce a token.
 *
 * <p>{@link #isPermanent()} says whether trying again can help (a revoked refresh token cannot); {@link
 * #retryAfter()} carries the server's hint, if any, which the {@link TokenCache} honours when it backs off.
 */
public class TokenException extends AuthException {
  private static final long serialVersionUID = 1L;

  private final boolean permanent;
  private final transient @Nullable Duration retryAfter;

  /**
   * Creates a token error.
   *
   * @param code the error code, usually {@link #TOKEN_UNAVAILABLE} or {@link #OAUTH_REAUTH_REQUIRED}
   * @param message what failed and how to fix it, without secrets
   * @param permanent whether retrying cannot help
   * @param retryAfter the server's retry hint, or {@code null}
   * @param cause the cause, or {@code null}
   */
  public TokenException(
      String code, String message, boolean permanent, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(code, message, cause);
    this.permanent = permanent;
    this.retryAfter = retryAfter;
  }

  /**
   * A transient failure ({@link #TOKEN_UNAVAILABLE}) without a retry hint.
   *
   * @param message what failed and how to fix it, without secrets
   * @param cause the cause, or {@code null}
   */
  public TokenException(String message, @Nullable Throwable cause) {
    this(TOKEN_UNAVAILABLE, message, false, null, cause);
  }

  /** @return whether retrying cannot help */
  public boolean isPermanent() {
    return permanent;
  }

  /** @return the server's hint for when to retry, or {@code null} */
  public @Nullable Duration retryAfter() {
    return retryAfter;
  }
}
