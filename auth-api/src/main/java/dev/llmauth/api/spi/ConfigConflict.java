package dev.llmauth.api.spi;

import java.util.Objects;

/**
 * A combination of fields a method refuses (see {@link CredentialMethod#conflicts()}): when a provider sets both
 * {@code key} and {@code other}, loading fails with {@code <key> cannot be combined with <other>
 * (providers.<name>.<other>); <fix>}, naming the field {@code providers.<name>.<key>}.
 *
 * @param key the method's field, such as {@code managedIdentity}
 * @param other the field it cannot be combined with, such as {@code apiKey}
 * @param fix how to fix it, such as {@code remove apiKey to authenticate with Entra ID, or remove managedIdentity to
 *     send the apiKey}
 */
public record ConfigConflict(String key, String other, String fix) {
  /** Requires every part. */
  public ConfigConflict {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(other, "other");
    Objects.requireNonNull(fix, "fix");
  }
}
