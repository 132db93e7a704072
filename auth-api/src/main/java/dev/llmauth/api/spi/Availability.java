package dev.llmauth.api.spi;

import java.util.Objects;

/**
 * Whether a {@link CredentialMethod} can serve a provider, and why (not). The detail is shown to users by
 * {@code doctor} and in {@code credential_not_found} errors, so it names the setting to change and never
 * contains a secret.
 *
 * @param available whether the method can serve
 * @param detail why not, or what it would use (for example {@code "sign-in stored at ~/.codex/auth.json"})
 */
public record Availability(boolean available, String detail) {
  /** Requires a detail. */
  public Availability {
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * The method can serve.
   *
   * @param detail what it would use
   * @return the availability
   */
  public static Availability available(String detail) {
    return new Availability(true, detail);
  }

  /**
   * The method cannot serve.
   *
   * @param reason why, naming the setting that would change that
   * @return the availability
   */
  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
