package dev.llmauth.api.spi;

import dev.llmauth.api.config.ProviderConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A credential method, found with {@link java.util.ServiceLoader}. Declare an implementation with {@code
 * provides dev.llmauth.api.spi.CredentialMethod with ...} in {@code module-info.java} and in {@code
 * META-INF/services/dev.llmauth.api.spi.CredentialMethod}, so it is found on the module path and the class
 * path alike. It needs a public no-argument constructor, and loading its class must stay cheap (no network, no
 * heavy libraries): the resolver instantiates every provider on the path.
 *
 * <p>For each configured provider, the resolver asks the methods in {@link #priority()} order (or only the one
 * whose {@link #authMode()} is pinned) whether they are {@linkplain #availability available}, and {@linkplain
 * #create creates} a credential with the first that is. Built-in priorities: {@code api-key} 100, {@code
 * codex-oauth} 200, {@code entra} 300.
 */
public interface CredentialMethod {
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
   * Names the fields of a provider object that this method owns, such as {@code managedIdentity}: the core reads
   * none of them, hands them to {@link #parseConfig}, and does not report them as unknown.
   *
   * @return the field names, empty by default
   */
  default Set<String> configKeys() {
    return Set.of();
  }

  /**
   * Names the fields of this method that hold secrets, as paths below the provider ({@code vault.token}). Their
   * values never appear in {@link dev.llmauth.api.config.ProviderConfig#toString()}, {@code doctor} or an error.
   *
   * @return the paths, empty by default
   */
  default Set<String> secretFields() {
    return Set.of();
  }

  /**
   * States the combinations of fields this method refuses, such as {@code managedIdentity} with {@code apiKey}; the
   * core checks them for every provider, before {@link #parseConfig}, whichever method serves it.
   *
   * @return the conflicts, empty by default
   */
  default List<ConfigConflict> conflicts() {
    return List.of();
  }

  /**
   * Names the environment variables some of this method's fields are read from when no configuration is given. The
   * environment fallback ({@link dev.llmauth.api.config.LlmAuthConfig#fromEnvironment}) builds one provider named
   * {@code openai} and sets each field listed here whose variable is set and not empty, as {@code "apiKey":
   * "${env:OPENAI_API_KEY}"} would in a file; the field's origin is {@code env <variable>}, and an error about it
   * names the variable. Only fields of {@link #configKeys()} are taken.
   *
   * @return field name to variable name, empty by default
   */
  default Map<String, String> environmentFallback() {
    return Map.of();
  }

  /**
   * Older spellings of {@link #authMode()} that still pin this method, with a deprecation warning.
   *
   * @return the spellings, empty by default
   */
  default Set<String> deprecatedAuthModes() {
    return Set.of();
  }

  /**
   * Parses and checks this method's settings of one provider. Called when a configuration is loaded or built, for
   * every provider, with the view of the whole provider object: read the fields of {@link #configKeys()} (and,
   * read-only, any other field a rule needs), and throw the errors {@link ConfigNode#error} makes, so that they
   * name the field's path. {@code ${env:NAME}} references are already replaced.
   *
   * <p>The result is what {@link dev.llmauth.api.config.ProviderConfig#methodConfig} returns to this method later:
   * an immutable value whose {@code toString()} shows no secret.
   *
   * @param provider the provider object
   * @return the method's typed settings, or {@code null} when the provider sets none of them
   * @throws dev.llmauth.api.ConfigException naming the field's path and the fix when a setting is invalid
   */
  default @Nullable Object parseConfig(ConfigNode provider) {
    return null;
  }
}
