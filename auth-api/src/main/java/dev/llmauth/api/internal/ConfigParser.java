package dev.llmauth.api.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.AuthMode;
import dev.llmauth.api.config.CodexOAuthConfig;
import dev.llmauth.api.config.EntraConfig;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ManagedIdentityConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads JSONC configuration, and the environment fallback, into {@link LlmAuthConfig}. The JSON shape (objects,
 * strings, booleans) is checked here; the rules about a provider's settings are {@link ConfigValidator}'s.
 */
public final class ConfigParser {
  private static final System.Logger LOG = System.getLogger(ConfigParser.class.getName());
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([^}]*)(})?");
  private static final String EXAMPLE = "{\"providers\": {\"openai\": {\"apiKey\": \"${env:OPENAI_API_KEY}\"}}}";
  private static final String ENVIRONMENT = "environment";
  /** The largest configuration file read: far above any real one, small enough to refuse a wrong file fast. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private ConfigParser() {}

  /**
   * Loads a JSONC file.
   *
   * @param file the file
   * @param environment the variables for {@code ${env:NAME}}
   * @return the configuration, with origin {@code file <absolute path>}
   * @throws ConfigException when the file is missing, unreadable, larger than 1 MiB or invalid
   */
  public static LlmAuthConfig load(Path file, Map<String, String> environment) {
    String origin = "file " + file.toAbsolutePath().normalize();
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new ConfigException(null, null, origin + " is larger than " + MAX_FILE_BYTES / (1 << 20) + " MiB, the "
            + "most a configuration file may hold; check that it is the right file (a configuration holds a few "
            + "provider objects, see docs/configuration.md)");
      }
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(null, null, origin + " does not exist; create it (see docs/configuration.md) or "
          + "point to another file");
    } catch (IOException e) {
      throw new ConfigException(null, null, "cannot read " + origin + " as UTF-8 text (" + e.getClass()
          .getSimpleName() + "); check the path, its permissions and its encoding", e);
    }
    return parse(text, origin, environment);
  }

  /**
   * Parses JSONC text.
   *
   * @param jsonc the text
   * @param origin where it came from, for messages and {@link ProviderConfig#origins()}
   * @param environment the variables for {@code ${env:NAME}}
   * @return the configuration
   * @throws ConfigException when the text is invalid; the message starts with {@code origin}
   */
  public static LlmAuthConfig parse(String jsonc, String origin, Map<String, String> environment) {
    JsonElement root;
    try {
      root = StrictJson.parse(jsonc, true);
    } catch (StrictJson.Malformed e) {
      throw new ConfigException(null, null, origin + ": " + e.getMessage() + ". Fix the syntax; comments and "
          + "trailing commas are allowed, such as " + EXAMPLE);
    }
    if (!root.isJsonObject()) {
      throw new ConfigException(null, "$", origin + ": the top level is " + kind(root) + ", not an object; write "
          + EXAMPLE);
    }
    JsonObject top = root.getAsJsonObject();
    top.keySet().stream().filter(k -> !k.equals("providers")).forEach(k -> LOG.log(System.Logger.Level.WARNING,
        "Ignoring unknown top-level field {0} in {1}; the only top-level field is providers", k, origin));
    JsonElement providers = top.get("providers");
    if (providers == null || !providers.isJsonObject()) {
      throw new ConfigException(null, "providers", origin + ": \"providers\" is "
          + (providers == null ? "missing" : kind(providers) + ", not an object") + "; write " + EXAMPLE);
    }
    Map<String, ProviderConfig> result = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : providers.getAsJsonObject().entrySet()) {
      ProviderReader reader = new ProviderReader(e.getKey(), origin, environment);
      result.put(e.getKey(), validated(reader.read(e.getValue()), origin, Map.of()));
    }
    return new LlmAuthConfig(result, origin);
  }

  /**
   * The configuration used when no file is given: one provider named {@code openai}.
   *
   * @param environment the environment
   * @return the configuration, with origin {@code environment}
   * @throws ConfigException when {@code OPENAI_AUTH_MODE} is invalid, or is {@code entra} without a base URL
   */
  public static LlmAuthConfig fromEnvironment(Map<String, String> environment) {
    String baseUrlVariable = variable(environment, "OPENAI_BASE_URL") == null
        && variable(environment, "OPENAI_API_BASE") != null ? "OPENAI_API_BASE" : "OPENAI_BASE_URL";
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("apiKey", "OPENAI_API_KEY");
    variables.put("baseUrl", baseUrlVariable);
    variables.put("authMode", "OPENAI_AUTH_MODE");
    String authMode = variable(environment, "OPENAI_AUTH_MODE");
    if (authMode != null && !authMode.equals(AuthMode.API_KEY) && !authMode.equals(AuthMode.ENTRA)) {
      throw new ConfigException("openai", "OPENAI_AUTH_MODE", ENVIRONMENT + ": OPENAI_AUTH_MODE is neither apiKey "
          + "nor entra; set it to apiKey or entra, or unset it to use the first configured method");
    }
    EntraConfig entra = AuthMode.ENTRA.equals(authMode) ? EntraConfig.defaults() : null;
    if (entra != null) {
      variables.put("entra", "OPENAI_AUTH_MODE");
    }
    Map<String, String> origins = new LinkedHashMap<>();
    variables.forEach((field, name) -> {
      if (field.equals("entra") || variable(environment, name) != null) {
        origins.put(field, "env " + name);
      }
    });
    String apiKey = variable(environment, "OPENAI_API_KEY");
    ProviderConfig config = new ProviderConfig("openai", ProviderType.OPENAI, variable(environment, baseUrlVariable),
        authMode, apiKey == null ? null : Secret.of(apiKey), null, null, entra, null, null, null, Map.of(), false,
        Map.of(), origins);
    return new LlmAuthConfig(Map.of("openai", validated(config, ENVIRONMENT, variables)), ENVIRONMENT);
  }

  private static @Nullable String variable(Map<String, String> environment, String name) {
    String value = environment.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * Validates, prefixing errors with the origin and, for settings taken from an environment variable, naming the
   * variable instead of the field.
   */
  private static ProviderConfig validated(ProviderConfig config, String origin, Map<String, String> variables) {
    try {
      ConfigValidator.validate(config);
      return config;
    } catch (ConfigException e) {
      String field = e.field() == null ? "" : e.field().substring(e.field().lastIndexOf('.') + 1);
      String variable = variables.get(field);
      throw new ConfigException(e.provider(), variable != null ? variable : e.field(),
          (variable != null ? origin + " (" + variable + ")" : origin) + ": " + e.getMessage());
    }
  }

  private static String kind(JsonElement e) {
    if (e.isJsonObject()) {
      return "an object";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonNull()) {
      return "null";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isString() ? "a string" : p.isNumber() ? "a number" : "a boolean";
  }

  /** Reads one provider object, recording where each set field came from. */
  private static final class ProviderReader {
    private final String name;
    private final String origin;
    private final Map<String, String> environment;
    private final Map<String, String> origins = new LinkedHashMap<>();
    private final Set<String> variablesUsed = new LinkedHashSet<>();

    ProviderReader(String name, String origin, Map<String, String> environment) {
      this.name = name;
      this.origin = origin;
      this.environment = environment;
    }

    ProviderConfig read(JsonElement element) {
      JsonObject o = object(element, "providers." + name);
      String typeId = field(o, "type", this::text);
      ProviderType type = typeId == null ? ProviderType.OPENAI : ProviderType.fromId(typeId).orElseThrow(
          () -> error("providers." + name + ".type", "unknown type "
              + ConfigValidator.shown(origins.getOrDefault("type", origin), typeId), "use one of "
              + ProviderType.allowedIds()));
      Map<String, Object> extensions = new LinkedHashMap<>();
      for (String key : o.keySet()) {
        if (!ConfigValidator.FIELDS.contains(key)) {
          Object value = field(o, key, this::plain);
          if (value != null) {
            extensions.put(key, value);
          }
        }
      }
      Map<String, String> headers = field(o, "headers", this::headers);
      Boolean insecure = field(o, "allowInsecureHttp", this::bool);
      return new ProviderConfig(name, type,
          field(o, "baseUrl", this::text),
          field(o, "authMode", this::text),
          field(o, "apiKey", this::secret),
          field(o, "bearerToken", this::secret),
          field(o, "managedIdentity", this::managedIdentity),
          field(o, "entra", this::entra),
          field(o, "codexOAuth", this::codexOAuth),
          field(o, "providerDataHeader", this::text),
          field(o, "providerDataApiBase", this::text),
          headers == null ? Map.of() : headers,
          insecure != null && insecure,
          extensions,
          origins);
    }

    /** Converts a top-level field of the provider; JSON null, absent and empty count as unset. */
    private <T> @Nullable T field(JsonObject o, String key, BiFunction<JsonElement, String, @Nullable T> convert) {
      JsonElement element = o.get(key);
      if (element == null || element.isJsonNull()) {
        return null;
      }
      variablesUsed.clear();
      T value = convert.apply(element, "providers." + name + "." + key);
      if (value != null) {
        origins.put(key, variablesUsed.isEmpty() ? origin
            : "env " + String.join(", ", variablesUsed) + " via " + origin);
      }
      return value;
    }

    private @Nullable String text(JsonElement e, String path) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw error(path, "expected a string but found " + kind(e), "put the value in double quotes");
      }
      Matcher m = ENV_REF.matcher(e.getAsString());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String variable = m.group(1);
        if (variable.isEmpty() || m.group(2) == null) {
          throw error(path, "has a malformed ${env:...} reference", "write ${env:NAME} with the variable's name");
        }
        String value = environment.get(variable);
        if (value == null || value.isEmpty()) {
          throw error(path, "refers to ${env:" + variable + "}, but the environment variable " + variable
              + " is not set or empty", "set " + variable + ", or write the value in the file");
        }
        variablesUsed.add(variable);
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      return sb.length() == 0 ? null : sb.toString();
    }

    private @Nullable Secret secret(JsonElement e, String path) {
      String value = text(e, path);
      return value == null ? null : Secret.of(value);
    }

    private Boolean bool(JsonElement e, String path) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
        throw error(path, "expected true or false but found " + kind(e), "write true or false without quotes");
      }
      return e.getAsBoolean();
    }

    private @Nullable Map<String, String> headers(JsonElement e, String path) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> h : object(e, path).entrySet()) {
        String value = h.getValue().isJsonNull() ? null : text(h.getValue(), path + "." + h.getKey());
        if (value != null) {
          headers.put(h.getKey(), value);
        }
      }
      return headers.isEmpty() ? null : headers;
    }

    private ManagedIdentityConfig managedIdentity(JsonElement e, String path) {
      JsonObject o = object(e, path, "clientId", "objectId", "resourceId", "scope");
      return new ManagedIdentityConfig(nested(o, "clientId", path), nested(o, "objectId", path),
          nested(o, "resourceId", path),
          Objects.requireNonNullElse(nested(o, "scope", path), ManagedIdentityConfig.DEFAULT_SCOPE));
    }

    private EntraConfig entra(JsonElement e, String path) {
      JsonObject o = object(e, path, "scope");
      return new EntraConfig(Objects.requireNonNullElse(nested(o, "scope", path), ManagedIdentityConfig.DEFAULT_SCOPE));
    }

    private CodexOAuthConfig codexOAuth(JsonElement e, String path) {
      JsonObject o = object(e, path, "authFile", "issuer", "originator");
      return new CodexOAuthConfig(nested(o, "authFile", path), nested(o, "issuer", path),
          nested(o, "originator", path));
    }

    private @Nullable String nested(JsonObject o, String key, String path) {
      JsonElement e = o.get(key);
      return e == null || e.isJsonNull() ? null : text(e, path + "." + key);
    }

    /** An extension value as plain Java; null and empty strings are dropped, like unset fields. */
    private @Nullable Object plain(JsonElement e, String path) {
      if (e.isJsonObject()) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
          Object value = entry.getValue().isJsonNull() ? null : plain(entry.getValue(), path + "." + entry.getKey());
          if (value != null) {
            map.put(entry.getKey(), value);
          }
        }
        return Collections.unmodifiableMap(map);
      }
      if (e.isJsonArray()) {
        JsonArray array = e.getAsJsonArray();
        List<Object> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          Object value = array.get(i).isJsonNull() ? null : plain(array.get(i), path + "[" + i + "]");
          if (value != null) {
            list.add(value);
          }
        }
        return Collections.unmodifiableList(list);
      }
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isBoolean()) {
        return p.getAsBoolean();
      }
      if (p.isNumber()) {
        double d = p.getAsBigDecimal().doubleValue();
        if (Double.isInfinite(d)) {
          throw error(path, "the number is too large", "use a number within the range of a double");
        }
        return d;
      }
      return text(e, path);
    }

    private JsonObject object(JsonElement e, String path, String... allowed) {
      if (!e.isJsonObject()) {
        throw error(path, "expected an object but found " + kind(e), "write an object, such as {}");
      }
      JsonObject o = e.getAsJsonObject();
      if (allowed.length > 0) {
        for (String key : o.keySet()) {
          if (!List.of(allowed).contains(key)) {
            throw error(path + "." + key, "unknown field", "use " + String.join(", ", allowed));
          }
        }
      }
      return o;
    }

    private ConfigException error(String path, String problem, String fix) {
      return new ConfigException(name, path, origin + ": provider '" + name + "', " + path + ": " + problem + "; "
          + fix);
    }
  }
}
