package dev.llmauth.spring.boot.autoconfigure;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.LlmAuthConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns the {@code llmauth.*} properties into an {@link LlmAuthConfig} through the library's own parser: the
 * bound properties become the JSON tree a configuration file would hold, so they pass the same validation and
 * fail with the same messages. Only the spelling is Spring's: relaxed names are mapped onto the file's field
 * names, an empty value of an object field ({@code managed-identity=}) stands for {@code {}}, and {@code true} or
 * {@code false} become JSON booleans.
 */
final class PropertiesConfig {
  /** Where provider properties come from, in messages. */
  static final String ORIGIN = "Spring properties llmauth.providers";
  /** The file's field names, nested ones included; other names are kept (camel-cased) for third-party methods. */
  private static final List<String> FIELDS = List.of("type", "baseUrl", "authMode", "apiKey", "bearerToken",
      "managedIdentity", "entra", "codexOAuth", "providerDataHeader", "providerDataApiBase", "headers",
      "allowInsecureHttp", "clientId", "objectId", "resourceId", "scope", "authFile", "issuer", "originator",
      "timeout", "connectTimeout", "command", "argv", "refreshAfter", "format", "sendAs");
  private static final List<String> OBJECTS = List.of("managedIdentity", "entra", "codexOAuth");

  private PropertiesConfig() {}

  static LlmAuthConfig load(LlmAuthProperties properties, Map<String, String> environment) {
    Map<String, Map<String, Object>> providers = properties.getProviders();
    if (properties.getConfig() != null) {
      if (!providers.isEmpty()) {
        throw new ConfigException(null, null, "both llmauth.config and llmauth.providers." + providers.keySet()
            .iterator().next() + ".* are set; configure the providers in the file or in properties, not both");
      }
      return LlmAuthConfig.load(properties.getConfig(), environment);
    }
    if (providers.isEmpty()) {
      return LlmAuthConfig.fromEnvironment(environment);
    }
    JsonObject all = new JsonObject();
    for (Map.Entry<String, Map<String, Object>> p : providers.entrySet()) {
      all.add(p.getKey(), tree(p.getValue(), false));
    }
    JsonObject root = new JsonObject();
    root.add("providers", all);
    return LlmAuthConfig.parse(root.toString(), ORIGIN, environment);
  }

  /**
   * The property name of a field path of the parser's messages, {@code providers.azure.managedIdentity.clientId}
   * giving {@code llmauth.providers.azure.managed-identity.client-id}.
   */
  static String propertyName(String fieldPath) {
    String[] parts = fieldPath.split("\\.");
    StringBuilder sb = new StringBuilder("llmauth");
    for (int i = 0; i < parts.length; i++) {
      // providers.<name> and header names stay as written
      boolean verbatim = i == 1 || i > 0 && parts[i - 1].equals("headers");
      sb.append('.').append(verbatim ? parts[i] : kebab(parts[i]));
    }
    return sb.toString();
  }

  private static JsonObject tree(Map<?, ?> map, boolean verbatimKeys) {
    JsonObject o = new JsonObject();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = verbatimKeys ? String.valueOf(e.getKey()) : fieldName(String.valueOf(e.getKey()));
      o.add(key, value(key, e.getValue(), verbatimKeys));
    }
    return o;
  }

  private static JsonElement value(String key, @Nullable Object value, boolean inHeaders) {
    if (value instanceof Map<?, ?> m) {
      return tree(m, key.equals("headers"));
    }
    String text = value == null ? "" : String.valueOf(value);
    if (!inHeaders && OBJECTS.contains(key) && (text.isEmpty() || text.equals("true"))) {
      return new JsonObject();
    }
    if (!inHeaders && (text.equals("true") || text.equals("false"))) {
      return new JsonPrimitive(Boolean.parseBoolean(text));
    }
    return new JsonPrimitive(text);
  }

  /** The file's name for a relaxed property name: {@code base-url}, {@code baseurl}, {@code base_url}. */
  private static String fieldName(String key) {
    String canonical = key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    for (String f : FIELDS) {
      if (f.toLowerCase(Locale.ROOT).equals(canonical)) {
        return f;
      }
    }
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : key.toCharArray()) {
      if (c == '-' || c == '_') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  private static String kebab(String camel) {
    StringBuilder sb = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
