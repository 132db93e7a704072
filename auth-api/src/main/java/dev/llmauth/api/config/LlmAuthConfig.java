package dev.llmauth.api.config;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.internal.ConfigParser;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The providers an application talks to: loaded from a JSONC file, parsed from text, built in code, or taken
 * from the environment ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}, {@code OPENAI_AUTH_MODE}).
 *
 * <p>Loading validates everything: an invalid file is a {@link ConfigException} that names the provider, the
 * field path and the fix, never a parser crash. One exception: a provider with a {@code ${env:NAME}} whose
 * variable is not set is resolved on its own, so the other providers of the file stay usable. It is left out of
 * {@link #providers()} and listed in {@link #unresolved()}; {@link #provider(String)} throws its error, the same
 * one loading the file used to throw.
 *
 * @param providers the providers by name, in file order
 * @param origin where the configuration came from, such as {@code file /etc/llm-auth.jsonc} or {@code
 *     environment}
 * @param unresolved the providers that cannot be used because an environment variable they refer to is not set,
 *     by name, in file order, each with the error that using it raises
 */
public record LlmAuthConfig(Map<String, ProviderConfig> providers, String origin,
    Map<String, ConfigException> unresolved) {
  /** Copies the maps, keeping their order. */
  public LlmAuthConfig {
    Objects.requireNonNull(origin, "origin");
    providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
    unresolved = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(unresolved));
    for (String name : unresolved.keySet()) {
      if (providers.containsKey(name)) {
        throw new IllegalArgumentException("provider '" + name + "' is both resolved and unresolved");
      }
    }
  }

  /**
   * A configuration whose providers are all resolved.
   *
   * @param providers the providers by name, in file order
   * @param origin where the configuration came from
   */
  public LlmAuthConfig(Map<String, ProviderConfig> providers, String origin) {
    this(providers, origin, Map.of());
  }

  /**
   * Loads a JSONC file, replacing {@code ${env:NAME}} with the process environment.
   *
   * @param file the file
   * @return the configuration
   * @throws ConfigException when the file is missing, unreadable or invalid
   */
  public static LlmAuthConfig load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * Loads a JSONC file, replacing {@code ${env:NAME}} from {@code environment}.
   *
   * @param file the file
   * @param environment the variables for {@code ${env:NAME}}
   * @return the configuration
   * @throws ConfigException when the file is missing, unreadable or invalid
   */
  public static LlmAuthConfig load(Path file, Map<String, String> environment) {
    return ConfigParser.load(file, environment);
  }

  /**
   * Parses JSONC text.
   *
   * @param jsonc the text
   * @param origin where the text came from, for messages
   * @param environment the variables for {@code ${env:NAME}}
   * @return the configuration
   * @throws ConfigException when the text is invalid
   */
  public static LlmAuthConfig parse(String jsonc, String origin, Map<String, String> environment) {
    return ConfigParser.parse(jsonc, origin, environment);
  }

  /**
   * Parses JSONC text with the settings of the given credential methods, instead of the ones {@link
   * java.util.ServiceLoader} finds (as {@link dev.llmauth.api.LlmAuth.Builder#credentialMethods} resolves with
   * them).
   *
   * @param jsonc the text
   * @param origin where the text came from, for messages
   * @param environment the variables for {@code ${env:NAME}}
   * @param methods the credential methods
   * @return the configuration
   * @throws ConfigException when the text is invalid
   */
  public static LlmAuthConfig parse(String jsonc, String origin, Map<String, String> environment,
      java.util.List<dev.llmauth.api.spi.CredentialMethod> methods) {
    return ConfigParser.parse(jsonc, origin, environment, methods);
  }

  /**
   * The configuration used when no file is given: one provider named {@code openai} from {@code OPENAI_BASE_URL}
   * (alias {@code OPENAI_API_BASE}), {@code OPENAI_AUTH_MODE} and the variables the installed methods name ({@link
   * dev.llmauth.api.spi.CredentialMethod#environmentFallback()}: the {@code api-key} method takes its {@code apiKey}
   * from {@code OPENAI_API_KEY}).
   *
   * @param environment the environment, usually {@link System#getenv()}
   * @return the configuration
   * @throws ConfigException naming the variable when {@code OPENAI_AUTH_MODE} is neither {@code apiKey} nor {@code
   *     entra}, when it is {@code entra} without a base URL, or when the base URL is not an absolute http(s) URL
   */
  public static LlmAuthConfig fromEnvironment(Map<String, String> environment) {
    return ConfigParser.fromEnvironment(environment);
  }

  /**
   * A configuration of the given providers, for code that builds them with {@link ProviderConfig#builder}.
   *
   * @param providers the providers
   * @return the configuration
   */
  public static LlmAuthConfig of(ProviderConfig... providers) {
    Map<String, ProviderConfig> map = new java.util.LinkedHashMap<>();
    for (ProviderConfig p : providers) {
      if (map.putIfAbsent(p.name(), p) != null) {
        throw new ConfigException(p.name(), "providers." + p.name(), "provider '" + p.name()
            + "' is defined twice; give each provider its own name");
      }
    }
    return new LlmAuthConfig(map, "code");
  }

  /**
   * Returns one provider.
   *
   * @param name the provider's name
   * @return its configuration
   * @throws ConfigException naming the known providers when there is none by that name, or the provider's own
   *     error when it is {@linkplain #unresolved() unresolved}
   */
  public ProviderConfig provider(String name) {
    ProviderConfig p = providers.get(name);
    if (p != null) {
      return p;
    }
    ConfigException broken = unresolved.get(name);
    if (broken != null) {
      throw new ConfigException(broken.provider(), broken.field(), broken.getMessage());
    }
    java.util.List<String> known = providerNames();
    throw new ConfigException(name, "providers." + name, "no provider named '" + name + "' in " + origin
        + "; known providers: " + (known.isEmpty() ? "(none)" : String.join(", ", known)));
  }

  /**
   * Names every provider of the configuration: those in {@link #providers()}, then the {@linkplain #unresolved()
   * unresolved} ones, which fail with their own error when used.
   *
   * @return the names, unmodifiable
   */
  public java.util.List<String> providerNames() {
    java.util.List<String> names = new java.util.ArrayList<>(providers.keySet());
    names.addAll(unresolved.keySet());
    return java.util.Collections.unmodifiableList(names);
  }
}
