package dev.llmauth.api.spi;

import dev.llmauth.api.config.ProviderConfig;
import java.util.Set;

/**
 * A credential method, found with {@link java.util.ServiceLoader}. Declare an implementation with {@code
 * provides dev.llmauth.api.spi.CredentialProvider with ...} in {@code module-info.java} and in {@code
 * META-INF/services/dev.llmauth.api.spi.CredentialProvider}, so it is found on the module path and the class
 * path alike. It needs a public no-argument constructor, and loading its class must stay cheap (no network, no
 * heavy libraries): the resolver instantiates every provider on the path.
 *
 * <p>For each configured provider, the resolver asks the methods in {@link #priority()} order (or only the one
 * whose {@link #authMode()} is pinned) whether they are {@linkplain #availability available}, and {@linkplain
 * #create creates} a credential with the first that is. Built-in priorities: {@code api-key} 100, {@code
 * codex-oauth} 200, {@code entra} 300.
 */
public interface CredentialProvider {
  /** @return the method id, such as {@code api-key}; unique among the providers on the path */
  String method();

  /** @return the {@code authMode} value that pins this method; the method id unless overridden */
  default String authMode() {
    return method();
  }

  /** @return the position in the resolution order: lower goes first */
  int priority();

  /**
   * Tells whether this method can serve {@code config}. Must be cheap and fetch no token; it may look at files
   * (a stored sign-in) and the environment.
   *
   * @param config the provider
   * @param context the environment and clock
   * @return available with what it would use, or unavailable with why
   */
  Availability availability(ProviderConfig config, ResolutionContext context);

  /**
   * Creates the credential. Called only after {@link #availability} said available, or when the method is
   * pinned by {@code authMode} (then throw a {@link dev.llmauth.api.CredentialNotFoundException} or {@link
   * dev.llmauth.api.ConfigException} saying what is missing). Must not fetch a token.
   *
   * @param config the provider
   * @param context the token cache, environment and clock
   * @return the credential
   */
  Credential create(ProviderConfig config, ResolutionContext context);

  /**
   * Names the configuration fields this method reads from {@link ProviderConfig#extensions()}, so that they
   * are not reported as unknown.
   *
   * @return the field names, empty by default
   */
  default Set<String> extensionFields() {
    return Set.of();
  }
}
