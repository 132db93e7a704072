package dev.llmauth.api.internal;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
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

  private static final String BASE_URL_EXAMPLE = "https://my-resource.openai.azure.com/openai/v1";

  private ConfigValidator() {}

  /**
   * Validates one provider.
   *
   * @param config the provider
   * @param methods the installed credential methods, whose {@code authMode} values are allowed
   * @throws ConfigException naming the provider, the field path and the fix
   */
  public static void validate(ProviderConfig config, List<CredentialMethod> methods) {
    if (config.name().isEmpty()) {
      throw new ConfigException("", "providers", "a provider has an empty name (providers.\"\"); give it a name "
          + "such as \"openai\"");
    }
    String authMode = config.authMode();
    if (authMode != null && methods.stream().noneMatch(m -> m.authMode().equals(authMode)
        || m.deprecatedAuthModes().contains(authMode))) {
      List<String> allowed = methods.stream().map(CredentialMethod::authMode).distinct().toList();
      throw error(config, "authMode", "unknown authMode " + shown(config.originOf("authMode"), authMode),
          allowed.isEmpty() ? "install the credential method it names (no method is installed), or remove authMode"
              : "use one of " + String.join(", ", allowed) + ", or remove authMode to use the first configured "
              + "method");
    }
    if (authMode != null) {
      methods.stream().filter(m -> m.deprecatedAuthModes().contains(authMode)).findFirst().ifPresent(m -> LOG.log(
          System.Logger.Level.WARNING, "Provider ''{0}'': authMode {1} is deprecated ({2}); write {3}",
          config.name(), authMode, path(config, "authMode"), m.authMode()));
    }
    if (config.baseUrl() == null) {
      if (config.type().defaultBaseUrl() == null) {
        throw error(config, "baseUrl", "type " + config.type().id() + " needs a baseUrl", "set baseUrl to the "
            + "endpoint, such as " + BASE_URL_EXAMPLE);
      }
    } else {
      config.settings().get("baseUrl").httpUrl(BASE_URL_EXAMPLE);
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
      config.settings().get("providerDataApiBase").httpUrl(BASE_URL_EXAMPLE);
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
   * reads (see {@link CredentialMethod#configKeys()}): usually a misspelling. Warnings name the provider
   * and the field, never the value.
   *
   * @param config the configuration
   * @param installed the installed credential methods
   */
  public static void warnUnclaimedFields(LlmAuthConfig config, List<CredentialMethod> installed) {
    Set<String> claimed = new LinkedHashSet<>();
    installed.forEach(p -> claimed.addAll(p.configKeys()));
    List<String> known = new ArrayList<>(ProviderConfig.CORE_FIELDS);
    known.addAll(claimed);
    for (ProviderConfig provider : config.providers().values()) {
      for (String field : provider.settings().keys()) {
        if (!ProviderConfig.CORE_FIELDS.contains(field) && !claimed.contains(field)
            && !provider.settings().get(field).isUnset()) {
          String hint = known.stream().filter(f -> f.equalsIgnoreCase(field)).findFirst()
              .map(f -> "did you mean " + f + "?").orElse("check its spelling, or install the credential method "
                  + "that reads it");
          LOG.log(System.Logger.Level.WARNING, "Provider ''{0}'': ignoring unknown field {1} ({2}); {3}",
              provider.name(), field, path(provider, field), hint);
        }
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
