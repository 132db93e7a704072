package dev.llmauth.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret string (token, API key, identity header) that never shows itself by accident.
 *
 * <p>{@link #toString()} prints {@code [redacted]}; the value is reachable only through {@link #reveal()}, which
 * is meant to be called at the one place a secret is written onto the wire. Equality compares values in
 * constant time.
 */
public final class Secret {
  private static final String REDACTED = "[redacted]";

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a secret value.
   *
   * @param value the secret, not empty
   * @return the wrapped secret
   * @throws IllegalArgumentException if {@code value} is empty (the message never contains the value)
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
    return new Secret(value);
  }

  /**
   * Returns the secret value. Call it only to put the value on the wire.
   *
   * @return the value
   */
  public String reveal() {
    return value;
  }

  /**
   * Tells whether {@code text} contains this secret, for leak checks.
   *
   * @param text any text
   * @return whether the secret value occurs in it
   */
  public boolean occursIn(CharSequence text) {
    return text.toString().contains(value);
  }

  /**
   * Returns a short, non-reversible hint for humans: the value's length and the first hex digits of its SHA-256,
   * for telling two secrets apart in diagnostics without showing either.
   *
   * @return for example {@code sha256:1f2e3d4c (51 chars)}
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder("sha256:");
      for (int i = 0; i < 4; i++) {
        hex.append(String.format("%02x", digest[i]));
      }
      return hex.append(" (").append(value.length()).append(" chars)").toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** Returns {@code [redacted]}, never the value. */
  @Override
  public String toString() {
    return REDACTED;
  }
}
