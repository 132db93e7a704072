package dev.llmauth.api;

import org.jspecify.annotations.Nullable;

/**
 * The configuration is invalid. The message names the provider and the field path (for example {@code
 * providers.azure.managedIdentity.clientId}) and the fix.
 */
public class ConfigException extends AuthException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String provider;
  private final @Nullable String field;

  /**
   * Creates a configuration error.
   *
   * @param provider the provider concerned, or {@code null} for the whole file
   * @param field the JSON path of the field concerned, or {@code null}
   * @param message what is wrong and how to fix it, without secrets
   * @param cause the cause, or {@code null}
   */
  public ConfigException(
      @Nullable String provider, @Nullable String field, String message, @Nullable Throwable cause) {
    super(CONFIG_INVALID, message, cause);
    this.provider = provider;
    this.field = field;
  }

  /**
   * Creates a configuration error without a cause.
   *
   * @param provider the provider concerned, or {@code null}
   * @param field the JSON path of the field concerned, or {@code null}
   * @param message what is wrong and how to fix it
   */
  public ConfigException(@Nullable String provider, @Nullable String field, String message) {
    this(provider, field, message, null);
  }

  /** @return the provider concerned, or {@code null} when the error is about the whole file */
  public @Nullable String provider() {
    return provider;
  }

  /** @return the JSON path of the field concerned, or {@code null} */
  public @Nullable String field() {
    return field;
  }
}
