package dev.llmauth.api.config;

import dev.llmauth.api.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One provider's configuration, as described in the configuration reference ({@code docs/configuration.md}).
 * Instances come validated from {@link LlmAuthConfig}; empty strings in the file count as unset, so every
 * optional field here is either {@code null} or non-empty.
 *
 * @param name the provider's name, the key under {@code providers}
 * @param type the endpoint type
 * @param baseUrl the configured base URL, or {@code null} (see {@link #effectiveBaseUrl()})
 * @param authMode the pinned method ({@link AuthMode}), or {@code null} to resolve in order
 * @param apiKey the API key, or {@code null}
 * @param bearerToken a static bearer token, or {@code null}
 * @param managedIdentity Entra managed identity, or {@code null}
 * @param entra Entra through the DefaultAzureCredential chain, or {@code null}
 * @param codexOAuth Codex sign-in settings, or {@code null} for the defaults
 * @param providerDataHeader the header whose JSON object carries the token instead of {@code Authorization}, or
 *     {@code null}
 * @param providerDataApiBase the URL sent as {@code azure_api_base} in the provider-data header (the Azure OpenAI
 *     endpoint behind the gateway), or {@code null} to send the base URL (see {@link #providerDataBase()})
 * @param headers static headers sent on every request
 * @param allowInsecureHttp whether a credential may be sent over plain {@code http://} to a host other than
 *     loopback
 * @param extensions fields this library does not define, for third-party methods: JSON values as {@code String},
 *     {@code Double}, {@code Boolean}, {@code List} and {@code Map}
 * @param origins where each set field came from, by field name (for example {@code apiKey -> env OPENAI_API_KEY})
 */
public record ProviderConfig(
    String name,
    ProviderType type,
    @Nullable String baseUrl,
    @Nullable String authMode,
    @Nullable Secret apiKey,
    @Nullable Secret bearerToken,
    @Nullable ManagedIdentityConfig managedIdentity,
    @Nullable EntraConfig entra,
    @Nullable CodexOAuthConfig codexOAuth,
    @Nullable String providerDataHeader,
    @Nullable String providerDataApiBase,
    Map<String, String> headers,
    boolean allowInsecureHttp,
    Map<String, Object> extensions,
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
    extensions = Map.copyOf(extensions);
    origins = Map.copyOf(origins);
  }

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
    if (apiKey != null) sb.append(", apiKey=").append(apiKey);
    if (bearerToken != null) sb.append(", bearerToken=").append(bearerToken);
    if (managedIdentity != null) sb.append(", managedIdentity=").append(shown("managedIdentity", managedIdentity));
    if (entra != null) sb.append(", entra=").append(shown("entra", entra));
    if (codexOAuth != null) sb.append(", codexOAuth=").append(shown("codexOAuth", codexOAuth));
    if (providerDataHeader != null) {
      sb.append(", providerDataHeader=").append(shown("providerDataHeader", providerDataHeader));
    }
    if (providerDataApiBase != null) {
      sb.append(", providerDataApiBase=").append(shownUrl("providerDataApiBase", providerDataApiBase));
    }
    if (!headers.isEmpty()) sb.append(", headers=").append(headers.keySet());
    if (allowInsecureHttp) sb.append(", allowInsecureHttp=true");
    if (!extensions.isEmpty()) sb.append(", extensions=").append(extensions.keySet());
    return sb.append(']').toString();
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
   * validates. {@link ProviderConfig#originOf} reports the fields set here as {@code code}.
   */
  public static final class Builder {
    private final String name;
    private final Map<String, String> origins = new HashMap<>();
    private ProviderType type = ProviderType.OPENAI;
    private @Nullable String baseUrl;
    private @Nullable String authMode;
    private @Nullable Secret apiKey;
    private @Nullable Secret bearerToken;
    private @Nullable ManagedIdentityConfig managedIdentity;
    private @Nullable EntraConfig entra;
    private @Nullable CodexOAuthConfig codexOAuth;
    private @Nullable String providerDataHeader;
    private @Nullable String providerDataApiBase;
    private Map<String, String> headers = Map.of();
    private boolean allowInsecureHttp;
    private Map<String, Object> extensions = Map.of();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** @param type the endpoint type, {@link ProviderType#OPENAI} by default @return this builder */
    public Builder type(ProviderType type) {
      this.type = Objects.requireNonNull(type, "type");
      return mark("type", true);
    }

    /** @param baseUrl the base URL @return this builder */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return mark("baseUrl", !baseUrl.isEmpty());
    }

    /** @param authMode the pinned method, see {@link AuthMode} @return this builder */
    public Builder authMode(String authMode) {
      this.authMode = authMode;
      return mark("authMode", !authMode.isEmpty());
    }

    /** @param apiKey the API key @return this builder */
    public Builder apiKey(Secret apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return mark("apiKey", true);
    }

    /** @param bearerToken a static bearer token @return this builder */
    public Builder bearerToken(Secret bearerToken) {
      this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken");
      return mark("bearerToken", true);
    }

    /** @param managedIdentity the managed identity @return this builder */
    public Builder managedIdentity(ManagedIdentityConfig managedIdentity) {
      this.managedIdentity = Objects.requireNonNull(managedIdentity, "managedIdentity");
      return mark("managedIdentity", true);
    }

    /** @param entra the DefaultAzureCredential settings @return this builder */
    public Builder entra(EntraConfig entra) {
      this.entra = Objects.requireNonNull(entra, "entra");
      return mark("entra", true);
    }

    /** @param codexOAuth the Codex sign-in settings @return this builder */
    public Builder codexOAuth(CodexOAuthConfig codexOAuth) {
      this.codexOAuth = Objects.requireNonNull(codexOAuth, "codexOAuth");
      return mark("codexOAuth", true);
    }

    /** @param providerDataHeader the provider-data header name @return this builder */
    public Builder providerDataHeader(String providerDataHeader) {
      this.providerDataHeader = providerDataHeader;
      return mark("providerDataHeader", !providerDataHeader.isEmpty());
    }

    /**
     * @param providerDataApiBase the URL sent as {@code azure_api_base} in the provider-data header, the Azure
     *     OpenAI endpoint behind the gateway
     * @return this builder
     */
    public Builder providerDataApiBase(String providerDataApiBase) {
      this.providerDataApiBase = providerDataApiBase;
      return mark("providerDataApiBase", !providerDataApiBase.isEmpty());
    }

    /** @param headers static headers sent on every request @return this builder */
    public Builder headers(Map<String, String> headers) {
      this.headers = Map.copyOf(headers);
      return mark("headers", !headers.isEmpty());
    }

    /** @param allow whether plain http to a non-loopback host is allowed @return this builder */
    public Builder allowInsecureHttp(boolean allow) {
      this.allowInsecureHttp = allow;
      return mark("allowInsecureHttp", allow);
    }

    /** @param extensions fields for third-party methods @return this builder */
    public Builder extensions(Map<String, Object> extensions) {
      this.extensions = Map.copyOf(extensions);
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the configuration
     * @throws dev.llmauth.api.ConfigException naming the field and the fix when the combination is invalid
     */
    public ProviderConfig build() {
      Map<String, String> all = new HashMap<>(origins);
      extensions.keySet().forEach(field -> all.put(field, "code"));
      ProviderConfig config = new ProviderConfig(name, type, baseUrl, authMode, apiKey, bearerToken, managedIdentity,
          entra, codexOAuth, providerDataHeader, providerDataApiBase, headers, allowInsecureHttp, extensions, all);
      dev.llmauth.api.internal.ConfigValidator.validate(config);
      return config;
    }

    private Builder mark(String field, boolean set) {
      if (set) {
        origins.put(field, "code");
      } else {
        origins.remove(field);
      }
      return this;
    }
  }
}
