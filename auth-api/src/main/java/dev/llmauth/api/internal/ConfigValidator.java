package dev.llmauth.api.internal;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.AuthMode;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ManagedIdentityConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.CredentialProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the rules of the configuration reference ({@code docs/configuration.md}) on a provider, whether it was
 * parsed from a file, taken from the environment or built in code. Shape errors (a number where a string belongs)
 * are the parser's; everything that can be said of a {@link ProviderConfig} is checked here.
 */
public final class ConfigValidator {
  private static final System.Logger LOG = System.getLogger(ConfigValidator.class.getName());

  /** The fields of a provider object that this library defines; every other field is an extension. */
  static final List<String> FIELDS = List.of("type", "baseUrl", "authMode", "apiKey", "bearerToken",
      "managedIdentity", "entra", "codexOAuth", "providerDataHeader", "providerDataApiBase", "headers",
      "allowInsecureHttp");

  private static final String BASE_URL_EXAMPLE = "https://my-resource.openai.azure.com/openai/v1";

  private ConfigValidator() {}

  /**
   * Validates one provider.
   *
   * @param config the provider
   * @throws ConfigException naming the provider, the field path and the fix
   */
  public static void validate(ProviderConfig config) {
    if (config.name().isEmpty()) {
      throw new ConfigException("", "providers", "a provider has an empty name (providers.\"\"); give it a name "
          + "such as \"openai\"");
    }
    if (config.apiKey() != null) {
      requireVisibleAscii(config, "apiKey", config.apiKey().reveal(), "copy the key again, without spaces, line "
          + "breaks or invisible characters around or inside it");
    }
    if (config.bearerToken() != null) {
      requireVisibleAscii(config, "bearerToken", config.bearerToken().reveal(), "copy the token again, without "
          + "spaces, line breaks or invisible characters around or inside it");
    }
    ManagedIdentityConfig mi = config.managedIdentity();
    if (mi != null) {
      String other = config.apiKey() != null ? "apiKey" : config.bearerToken() != null ? "bearerToken" : null;
      if (other != null) {
        throw error(config, "managedIdentity", "managedIdentity cannot be combined with " + other + " ("
            + path(config, other) + ")", "remove " + other + " to authenticate with Entra ID, or remove "
            + "managedIdentity to send the " + other);
      }
      List<String> selectors = new ArrayList<>();
      if (mi.clientId() != null) {
        selectors.add("clientId");
      }
      if (mi.objectId() != null) {
        selectors.add("objectId");
      }
      if (mi.resourceId() != null) {
        selectors.add("resourceId");
      }
      if (selectors.size() > 1) {
        throw error(config, "managedIdentity", "managedIdentity sets " + String.join(" and ", selectors)
            + ", but each of clientId, objectId and resourceId selects an identity on its own",
            "keep one of them for a user-assigned identity, or none for the system-assigned identity");
      }
    }
    String authMode = config.authMode();
    if (authMode != null && !AuthMode.BUILT_IN.contains(authMode)) {
      Set<String> allowed = allowedAuthModes();
      if (!allowed.contains(authMode)) {
        throw error(config, "authMode", "unknown authMode " + shown(config.originOf("authMode"), authMode), "use one of "
            + String.join(", ", allowed) + ", or remove authMode to use the first configured method");
      }
    }
    if (config.baseUrl() == null) {
      String needs = AuthMode.ENTRA.equals(authMode) ? "authMode entra"
          : mi != null ? "managedIdentity"
          : config.entra() != null ? "entra"
          : config.type() == ProviderType.AZURE_OPENAI ? "type azure-openai"
          : null;
      if (needs != null) {
        throw error(config, "baseUrl", needs + " needs a baseUrl", "set baseUrl to the endpoint, such as "
            + BASE_URL_EXAMPLE);
      }
    } else {
      requireHttpUrl(config, "baseUrl", config.baseUrl(), BASE_URL_EXAMPLE);
    }
    if (config.codexOAuth() != null && config.codexOAuth().issuer() != null) {
      requireHttpUrl(config, "codexOAuth.issuer", config.codexOAuth().issuer(), "https://auth.openai.com");
    }
    if (config.providerDataHeader() != null && !isToken(config.providerDataHeader())) {
      throw error(config, "providerDataHeader", "not a valid HTTP header name",
          "use letters, digits and '-', such as X-LlamaStack-Provider-Data");
    }
    if (config.providerDataApiBase() != null) {
      if (config.providerDataHeader() == null) {
        throw error(config, "providerDataApiBase", "providerDataApiBase is sent only in the provider-data header, "
            + "and providerDataHeader is not set", "set providerDataHeader (such as X-LlamaStack-Provider-Data), or "
            + "remove providerDataApiBase");
      }
      requireHttpUrl(config, "providerDataApiBase", config.providerDataApiBase(), BASE_URL_EXAMPLE);
    }
    for (Map.Entry<String, String> header : config.headers().entrySet()) {
      if (!isToken(header.getKey())) {
        throw error(config, "headers", "header name '" + header.getKey() + "' is not a valid HTTP header name",
            "use letters, digits and '-', such as X-Extra");
      }
      String value = header.getValue();
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (ch != ' ' && ch != '\t' && !isVisibleAscii(ch)) {
          throw error(config, "headers." + header.getKey(), "the header value has a character HTTP clients refuse "
              + "in a header (" + describe(value, i) + "); header values are visible ASCII, spaces and tabs",
              "put the value on one line, without control or non-ASCII characters");
        }
      }
    }
  }

  /**
   * Warns about provider fields that neither this library nor an installed credential method
   * reads (see {@link CredentialProvider#extensionFields()}): usually a misspelling. Warnings name the provider
   * and the field, never the value.
   *
   * @param config the configuration
   * @param installed the installed credential methods
   */
  public static void warnUnclaimedFields(LlmAuthConfig config, List<CredentialProvider> installed) {
    Set<String> claimed = new LinkedHashSet<>();
    installed.forEach(p -> claimed.addAll(p.extensionFields()));
    for (ProviderConfig provider : config.providers().values()) {
      for (String field : provider.extensions().keySet()) {
        if (!claimed.contains(field)) {
          String hint = FIELDS.stream().filter(f -> f.equalsIgnoreCase(field)).findFirst()
              .map(f -> "did you mean " + f + "?").orElse("check its spelling, or install the credential method "
                  + "that reads it");
          LOG.log(System.Logger.Level.WARNING, "Provider ''{0}'': ignoring unknown field {1} ({2}); {3}",
              provider.name(), field, path(provider, field), hint);
        }
      }
    }
  }

  private static Set<String> allowedAuthModes() {
    Set<String> allowed = new LinkedHashSet<>(AuthMode.BUILT_IN);
    ProviderDiscovery.load(null).forEach(p -> allowed.add(p.authMode()));
    return allowed;
  }

  /**
   * Requires a secret to be visible ASCII (U+0021 to U+007E), as a header value built from it must be; the error
   * says which character and where, never the value.
   */
  private static void requireVisibleAscii(ProviderConfig config, String field, String value, String fix) {
    for (int i = 0; i < value.length(); i++) {
      if (!isVisibleAscii(value.charAt(i))) {
        throw error(config, field, "the value has a character that cannot be sent in an HTTP header ("
            + describe(value, i) + "); it must be visible ASCII, without spaces", fix);
      }
    }
  }

  private static boolean isVisibleAscii(char ch) {
    return ch > 0x20 && ch < 0x7f;
  }

  /** Names a character of a value by code point and position only, so that no part of the value is shown. */
  private static String describe(String value, int index) {
    return String.format(Locale.ROOT, "U+%04X at position %d of %d", (int) value.charAt(index), index + 1,
        value.length());
  }

  private static void requireHttpUrl(ProviderConfig config, String field, String url, String example) {
    if (!url.chars().allMatch(ch -> ch < 0x7f && ch > 0x20)) {
      throw error(config, field, "not an absolute http(s) URL: it has a space, control or non-ASCII character",
          "write the full URL percent-encoded, with the host in its ASCII (punycode) form, such as " + example);
    }
    boolean ok;
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      ok = (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      ok = false;
    }
    if (!ok) {
      throw error(config, field, "not an absolute http(s) URL", "write the full URL, such as " + example);
    }
  }

  /** Whether {@code name} is an RFC 9110 token, as header names must be. */
  private static boolean isToken(String name) {
    return !name.isEmpty() && name.chars().allMatch(ch -> ch < 127 && (Character.isLetterOrDigit(ch)
        || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0));
  }

  /** A value for a message: quoted, unless it came from an environment variable, which might hold a secret. */
  static String shown(String origin, String value) {
    return origin.startsWith("env ") ? "(the value from " + origin + ")" : "'" + value + "'";
  }

  private static String path(ProviderConfig config, String field) {
    return "providers." + config.name() + "." + field;
  }

  private static ConfigException error(ProviderConfig config, String field, String problem, String fix) {
    String path = path(config, field);
    return new ConfigException(config.name(), path, "provider '" + config.name() + "', " + path + ": " + problem
        + "; " + fix);
  }
}
