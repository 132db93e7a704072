package dev.llmauth.api.spi;

import dev.llmauth.api.TokenCache;
import java.time.InstantSource;
import java.util.Map;

/**
 * What a {@link CredentialMethod} may use besides the provider's configuration: the shared token cache, the
 * environment and the clock. Providers read the environment from here, never from {@link System#getenv()}, so
 * tests and embedders can control it.
 */
public interface ResolutionContext {
  /** @return the token cache shared by every credential of one {@link dev.llmauth.api.LlmAuth} */
  TokenCache tokenCache();

  /** @return the environment variables */
  Map<String, String> environment();

  /** @return the clock */
  InstantSource clock();

  /**
   * Returns an environment variable, treating an empty value as unset.
   *
   * @param name the variable
   * @return its value, or {@code null} when unset or empty
   */
  default @org.jspecify.annotations.Nullable String env(String name) {
    String v = environment().get(name);
    return v == null || v.isEmpty() ? null : v;
  }
}
