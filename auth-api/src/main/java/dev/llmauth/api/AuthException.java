package dev.llmauth.api;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The base of every error llm-auth raises. Each carries a stable {@link #code()} (for example {@code
 * credential_not_found}) and a message that says what went wrong and how to fix it. Messages never contain a
 * token, key or identity header.
 */
public class AuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The configuration is invalid. */
  public static final String CONFIG_INVALID = "config_invalid";
  /** No credential method could serve a provider. */
  public static final String CREDENTIAL_NOT_FOUND = "credential_not_found";
  /** A token source failed to produce a token. */
  public static final String TOKEN_UNAVAILABLE = "token_unavailable";
  /** A stored OAuth sign-in can no longer be refreshed; the user must sign in again. */
  public static final String OAUTH_REAUTH_REQUIRED = "oauth_reauth_required";
  /** A request would have sent a credential somewhere it must not go. */
  public static final String INSECURE_TRANSPORT = "insecure_transport";

  private final String code;

  /**
   * Creates an error.
   *
   * @param code the stable error code
   * @param message a message without secrets
   * @param cause the cause, or {@code null}
   */
  public AuthException(String code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /**
   * Creates an error without a cause.
   *
   * @param code the stable error code
   * @param message a message without secrets
   */
  public AuthException(String code, String message) {
    this(code, message, null);
  }

  /** @return the stable error code, such as {@code credential_not_found} */
  public String code() {
    return code;
  }
}
