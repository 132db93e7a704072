package dev.llmauth.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A credential value with its lifetime: what a {@link dev.llmauth.api.spi.TokenSource} returns and what the
 * {@link TokenCache} holds.
 *
 * <p>{@code expiresAt} is when the issuer stops accepting the token; {@code refreshAt}, when the issuer names
 * one, is when a new token should be fetched ahead of expiry. {@code headers} are extra non-secret headers that
 * travel with this token (for example {@code ChatGPT-Account-Id}). A static key never expires: use {@link
 * #nonExpiring(Secret)}.
 *
 * <p>Instances are immutable; {@link #toString()} never shows the value.
 */
public final class AccessToken {
  private final Secret value;
  private final Instant expiresAt;
  private final @Nullable Instant refreshAt;
  private final Map<String, String> headers;

  private AccessToken(Secret value, Instant expiresAt, @Nullable Instant refreshAt, Map<String, String> headers) {
    this.value = Objects.requireNonNull(value, "value");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.refreshAt = refreshAt;
    this.headers = Map.copyOf(headers);
  }

  /**
   * A token that expires at {@code expiresAt}.
   *
   * @param value the token
   * @param expiresAt when the issuer stops accepting it
   * @return the token
   */
  public static AccessToken of(Secret value, Instant expiresAt) {
    return new AccessToken(value, expiresAt, null, Map.of());
  }

  /**
   * A token that expires at {@code expiresAt} and should be refreshed from {@code refreshAt}.
   *
   * @param value the token
   * @param expiresAt when the issuer stops accepting it
   * @param refreshAt when to fetch a new one, or {@code null} to use the cache's refresh-ahead window
   * @return the token
   */
  public static AccessToken of(Secret value, Instant expiresAt, @Nullable Instant refreshAt) {
    return new AccessToken(value, expiresAt, refreshAt, Map.of());
  }

  /**
   * A value that never expires, such as a static API key.
   *
   * @param value the key
   * @return the token
   */
  public static AccessToken nonExpiring(Secret value) {
    return new AccessToken(value, Instant.MAX, null, Map.of());
  }

  /**
   * Returns a copy of this token that also carries {@code headers}.
   *
   * @param headers non-secret headers sent with this token, such as an account id
   * @return the new token
   */
  public AccessToken withHeaders(Map<String, String> headers) {
    return new AccessToken(value, expiresAt, refreshAt, headers);
  }

  /** @return the token value, redacted in {@code toString()} */
  public Secret value() {
    return value;
  }

  /** @return when the issuer stops accepting the token ({@link Instant#MAX} for a static key) */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** @return when to refresh ahead of expiry, or {@code null} when the issuer did not say */
  public @Nullable Instant refreshAt() {
    return refreshAt;
  }

  /** @return extra non-secret headers that travel with this token, possibly empty */
  public Map<String, String> headers() {
    return headers;
  }

  /** @return whether this token has an expiry at all */
  public boolean expires() {
    return !Instant.MAX.equals(expiresAt);
  }

  @Override
  public String toString() {
    return "AccessToken[value=" + value + ", expiresAt=" + (expires() ? expiresAt : "never")
        + (refreshAt != null ? ", refreshAt=" + refreshAt : "") + "]";
  }
}
