package dev.llmauth.api.config;

import java.net.URI;
import java.net.URISyntaxException;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.CredentialMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One provider's configuration, as described in the configuration reference ({@code docs/configuration.md}).
 * Instances come validated from {@link LlmAuthConfig}; empty strings in the file count as unset, so every
 * optional field here is either {@code null} or non-empty.
 *
 * @param name the provider's name, the key under {@code providers}
 * @param type the endpoint type
 * @param baseUrl the configured base URL, or {@code null} (see {@link #effectiveBaseUrl()})
 * @param authMode the pinned method (a method's {@link CredentialMethod#authMode()}), or {@code null} to resolve
 *     in order
 * @param providerDataHeader the header whose JSON object carries the token instead of {@code Authorization}, or
 *     {@code null}
 * @param providerDataApiBase the URL sent as {@code azure_api_base} in the provider-data header (the Azure OpenAI
 *     endpoint behind the gateway), or {@code null} to send the base URL (see {@link #providerDataBase()})
 * @param headers static headers sent on every request
 * @param allowInsecureHttp whether a credential may be sent over plain {@code http://} to a host other than
 *     loopback
 * @param settings the whole provider object, read-only, as the credential methods read it (see {@link
 *     CredentialMethod#parseConfig})
 * @param methodConfigs each method's parsed settings, by method id, for the methods known when the configuration
 *     was loaded (see {@link #methodConfig})
 * @param methodFields the fields owned by those methods ({@link CredentialMethod#configKeys()})
 * @param secretFields the fields those methods hold secrets in ({@link CredentialMethod#secretFields()}), as paths
 *     below the provider
 * @param origins where each set field came from, by field name (for example {@code baseUrl -> env OPENAI_BASE_URL})
 */
public record ProviderConfig(
    String name,
    ProviderType type,
    @Nullable String baseUrl,
    @Nullable String authMode,
    @Nullable String providerDataHeader,
    @Nullable String providerDataApiBase,
    Map<String, String> headers,
    boolean allowInsecureHttp,
    ConfigNode settings,
    Map<String, Object> methodConfigs,
    Set<String> methodFields,
    Set<String> secretFields,
    Map<String, String> origins) {

  /**
   * Turns empty strings into {@code null} (unset), drops headers with an empty value and copies the maps, so the
   * configuration stays immutable.
   */
  public ProviderConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    baseUrl = emptyToNull(baseUrl);
    authMode = emptyToNull(authMode);
    providerDataHeader = emptyToNull(providerDataHeader);
    providerDataApiBase = emptyToNull(providerDataApiBase);
    headers = headers.entrySet().stream().filter(h -> !h.getValue().isEmpty())
        .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    Objects.requireNonNull(settings, "settings");
    methodConfigs = Map.copyOf(methodConfigs);
    methodFields = Set.copyOf(methodFields);
    secretFields = Set.copyOf(secretFields);
    origins = Map.copyOf(origins);
  }

  /**
   * Returns a method's parsed settings ({@link CredentialMethod#parseConfig}): those parsed when the configuration
   * was loaded, or, for a method that was not installed then, parsed now from {@link #settings()}.
   *
   * @param <T> the settings' type
   * @param method the method
   * @param type the settings' type
   * @return the settings, or {@code null} when the provider sets none
   * @throws dev.llmauth.api.ConfigException when the settings are invalid
   * @throws ClassCastException when the method's settings are not of {@code type}
   */
  public <T> @Nullable T methodConfig(CredentialMethod method, Class<T> type) {
    Object parsed = methodConfigs.get(method.method());
    return type.cast(parsed != null ? parsed : method.parseConfig(settings));
  }

  /**
   * The fields of a provider object the core defines; every other field belongs to a credential method (see {@link
   * CredentialMethod#configKeys()}).
   */
  public static final List<String> CORE_FIELDS = List.of("type", "baseUrl", "authMode", "providerDataHeader",
      "providerDataApiBase", "headers", "allowInsecureHttp");

  static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * Starts a provider configured in code; {@link Builder#build()} applies the same validation as a file.
   *
   * @param name the provider's name
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** @return the configured base URL, else the type's default, else {@code null} */
  public @Nullable String effectiveBaseUrl() {
    return baseUrl != null ? baseUrl : type.defaultBaseUrl();
  }

  /**
   * The value written as {@code azure_api_base} next to the token in the provider-data header: {@link
   * #providerDataApiBase()} when set, else {@link #effectiveBaseUrl()}. Llama Stack (and OGX) ignore the whole
   * object unless this is an absolute URL, so it is always written.
   *
   * @return the URL, or {@code null} when neither is known
   */
  public @Nullable String providerDataBase() {
    return providerDataApiBase != null ? providerDataApiBase : effectiveBaseUrl();
  }

  /** @return where this provider's settings came from, for {@code doctor}: the field's origin or "default" */
  public String originOf(String field) {
    return origins.getOrDefault(field, "default");
  }

  /**
   * Shows which fields are set, never their secret values or header values. URLs are shown without userinfo and
   * query values ({@link #redactUrl}); a value taken from an environment variable is shown as {@code set (env
   * NAME)}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ProviderConfig[name=").append(name).append(", type=").append(type.id());
    if (baseUrl != null) sb.append(", baseUrl=").append(shownUrl("baseUrl", baseUrl));
    if (authMode != null) sb.append(", authMode=").append(shown("authMode", authMode));
    for (String field : settings.keys()) {
      if (methodFields.contains(field) && !settings.get(field).isMissing()) {
        sb.append(", ").append(field).append('=').append(secretFields.contains(field) ? "[redacted]"
            : origins.getOrDefault(field, "").startsWith("env ") ? "set (" + originOf(field) + ")"
            : shownSetting(settings.get(field), field));
      }
    }
    if (providerDataHeader != null) {
      sb.append(", providerDataHeader=").append(shown("providerDataHeader", providerDataHeader));
    }
    if (providerDataApiBase != null) {
      sb.append(", providerDataApiBase=").append(shownUrl("providerDataApiBase", providerDataApiBase));
    }
    if (!headers.isEmpty()) sb.append(", headers=").append(headers.keySet());
    if (allowInsecureHttp) sb.append(", allowInsecureHttp=true");
    List<String> unclaimed = unclaimedFields();
    if (!unclaimed.isEmpty()) sb.append(", extensions=").append(unclaimed);
    return sb.append(']').toString();
  }

  /**
   * The fields that neither this library nor a method known when the configuration was loaded defines: usually a
   * misspelling, or the field of a method that is not installed.
   *
   * @return the field names, in file order
   */
  public List<String> unclaimedFields() {
    List<String> unclaimed = new ArrayList<>();
    for (String field : settings.keys()) {
      if (!CORE_FIELDS.contains(field) && !methodFields.contains(field) && !settings.get(field).isUnset()) {
        unclaimed.add(field);
      }
    }
    return unclaimed;
  }

  /**
   * A method's setting for diagnostics: objects member by member, secret fields as {@code [redacted]}, values from
   * the environment as {@code set (env NAME ...)}, URLs without userinfo and query values.
   */
  private String shownSetting(ConfigNode node, String relative) {
    if (secretFields.contains(relative)) {
      return "[redacted]";
    }
    if (node.isObject()) {
      StringBuilder sb = new StringBuilder("{");
      for (String key : node.keys()) {
        ConfigNode member = node.get(key);
        if (!member.isMissing()) {
          sb.append(sb.length() > 1 ? ", " : "").append(key).append('=').append(shownSetting(member,
              relative + "." + key));
        }
      }
      return sb.append('}').toString();
    }
    if (!node.items().isEmpty()) {
      return "[" + node.items().size() + " items]";
    }
    if (node.origin().startsWith("env ")) {
      return "set (" + node.origin() + ")";
    }
    Object value = node.plain();
    String text = String.valueOf(value);
    return value instanceof String && text.contains("://") ? redactUrl(text) : text;
  }

  /** A non-secret field's value, or {@code set (env NAME ...)} when it came from the environment. */
  private String shown(String field, Object value) {
    String origin = originOf(field);
    return origin.startsWith("env ") ? "set (" + origin + ")" : value.toString();
  }

  /**
   * How a URL field is shown in diagnostics ({@code toString()}, {@code doctor}): {@code set (env NAME ...)} when
   * its value came from the environment, else the URL without userinfo and query values.
   *
   * @param field the field's name, such as {@code baseUrl}
   * @param url the field's value
   * @return the text to show
   */
  public String shownUrl(String field, String url) {
    String origin = originOf(field);
    return origin.startsWith("env ") ? "set (" + origin + ")" : redactUrl(url);
  }

  /**
   * Removes what a URL may carry that is secret: userinfo ({@code user:key@}) becomes {@code ***@}, each query
   * value becomes {@code ***} (names are kept) and a fragment is dropped. Text that is not an absolute URL with a
   * host is shown as {@code (not a URL)}.
   *
   * @param url the URL
   * @return the URL fit for a log line or diagnostic output
   */
  public static String redactUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "(not a URL)";
    }
    if (uri.getRawAuthority() == null) {
      return "(not a URL)";
    }
    StringBuilder sb = new StringBuilder();
    if (uri.getScheme() != null) {
      sb.append(uri.getScheme()).append("://");
    }
    String authority = uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      sb.append("***@");
      authority = authority.substring(at + 1);
    }
    sb.append(authority);
    if (uri.getRawPath() != null) {
      sb.append(uri.getRawPath());
    }
    String query = uri.getRawQuery();
    if (query != null) {
      sb.append('?');
      String[] pairs = query.split("&", -1);
      for (int i = 0; i < pairs.length; i++) {
        if (i > 0) {
          sb.append('&');
        }
        int eq = pairs[i].indexOf('=');
        sb.append(eq >= 0 ? pairs[i].substring(0, eq) + "=***" : "***");
      }
    }
    return sb.toString();
  }

  /**
   * Builds a {@link ProviderConfig} in code. Unset fields stay unset, and so do empty strings; {@link #build()}
   * validates, with the same rules and messages as a file. {@link ProviderConfig#originOf} reports the fields set
   * here as {@code code}. A credential method's fields are set with {@link #set}, as they would be written in the
   * file; the fields a method declares secret ({@link CredentialMethod#secretFields()}) are redacted as they are when
   * read from a file:
   *
   * <pre>{@code
   * ProviderConfig openai = ProviderConfig.builder("openai").set("apiKey", System.getenv("OPENAI_API_KEY")).build();
   * }</pre>
   */
  public static final class Builder {
    private final String name;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private @Nullable List<CredentialMethod> methods;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** @param type the endpoint type, {@link ProviderType#OPENAI} by default @return this builder */
    public Builder type(ProviderType type) {
      return set("type", Objects.requireNonNull(type, "type").id());
    }

    /** @param baseUrl the base URL @return this builder */
    public Builder baseUrl(String baseUrl) {
      return set("baseUrl", baseUrl);
    }

    /** @param authMode the pinned method, see {@link CredentialMethod#authMode()} @return this builder */
    public Builder authMode(String authMode) {
      return set("authMode", authMode);
    }

    /** @param providerDataHeader the provider-data header name @return this builder */
    public Builder providerDataHeader(String providerDataHeader) {
      return set("providerDataHeader", providerDataHeader);
    }

    /**
     * @param providerDataApiBase the URL sent as {@code azure_api_base} in the provider-data header, the Azure
     *     OpenAI endpoint behind the gateway
     * @return this builder
     */
    public Builder providerDataApiBase(String providerDataApiBase) {
      return set("providerDataApiBase", providerDataApiBase);
    }

    /** @param headers static headers sent on every request @return this builder */
    public Builder headers(Map<String, String> headers) {
      return set("headers", Map.copyOf(headers));
    }

    /** @param allow whether plain http to a non-loopback host is allowed @return this builder */
    public Builder allowInsecureHttp(boolean allow) {
      return set("allowInsecureHttp", allow ? Boolean.TRUE : null);
    }

    /**
     * Sets a field as it would be written in the file, such as a method's field or block: {@code set("apiKey", key)},
     * {@code set("managedIdentity", Map.of("clientId", id))}.
     *
     * @param field the field's name
     * @param value {@code String}, {@code Boolean}, {@code Number}, {@code List} or {@code Map} values, or {@code
     *     null} to unset it
     * @return this builder
     */
    public Builder set(String field, @Nullable Object value) {
      Objects.requireNonNull(field, "field");
      if (value == null) {
        fields.remove(field);
      } else {
        fields.put(field, value);
      }
      return this;
    }

    /**
     * Validates with these methods instead of the ones {@link java.util.ServiceLoader} finds, as {@link
     * dev.llmauth.api.LlmAuth.Builder#credentialMethods} does for resolution.
     *
     * @param methods the methods
     * @return this builder
     */
    public Builder methods(List<CredentialMethod> methods) {
      this.methods = List.copyOf(methods);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     * @throws dev.llmauth.api.ConfigException naming the field and the fix when the combination is invalid
     */
    public ProviderConfig build() {
      Map<String, String> origins = new HashMap<>();
      fields.forEach((field, value) -> {
        if (!"".equals(value) && !(value instanceof Map<?, ?> m && m.isEmpty() && field.equals("headers"))) {
          origins.put(field, "code");
        }
      });
      return dev.llmauth.api.internal.ProviderAssembler.assemble(ConfigNode.of(name, fields, "code"), origins,
          methods != null ? methods : dev.llmauth.api.internal.MethodDiscovery.load(null));
    }
  }
}
