package dev.llmauth.api.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.CredentialMethod;
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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads JSONC configuration, and the environment fallback, into {@link LlmAuthConfig}. The JSON shape (objects,
 * strings, booleans) of the file is checked here; a provider's fields are {@link ProviderAssembler}'s.
 */
public final class ConfigParser {
  private static final System.Logger LOG = System.getLogger(ConfigParser.class.getName());
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{env:([^}]*)(})?");
  private static final String EXAMPLE = "{\"providers\": {\"openai\": {\"apiKey\": \"${env:OPENAI_API_KEY}\"}}}";
  private static final String ENVIRONMENT = "environment";
  /**
   * The values {@code OPENAI_AUTH_MODE} may take, fixed by the environment fallback's contract whichever methods are
   * installed; the installed methods' {@code authMode} values are checked afterwards, as for a file.
   */
  private static final List<String> ENVIRONMENT_AUTH_MODES = List.of("apiKey", "entra");
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
    return parse(jsonc, origin, environment, MethodDiscovery.load(null));
  }

  /**
   * Parses JSONC text, with the settings of the given credential methods.
   *
   * @param jsonc the text
   * @param origin where it came from, for messages and {@link ProviderConfig#origins()}
   * @param environment the variables for {@code ${env:NAME}}
   * @param methods the credential methods that parse their settings
   * @return the configuration
   * @throws ConfigException when the text is invalid; the message starts with {@code origin}; a provider whose
   *     {@code ${env:NAME}} is not set does not fail the text, it is {@linkplain LlmAuthConfig#unresolved()
   *     unresolved}
   */
  public static LlmAuthConfig parse(String jsonc, String origin, Map<String, String> environment,
      List<CredentialMethod> methods) {
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
    Map<String, ConfigException> unresolved = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : providers.getAsJsonObject().entrySet()) {
      ProviderReader reader = new ProviderReader(e.getKey(), origin, environment);
      ConfigNode node;
      try {
        node = reader.read(e.getValue());
      } catch (ConfigException unset) {
        if (!reader.variableMissing) {
          throw unset;
        }
        // A variable that is not set makes only this provider unusable: the others are resolved and used.
        unresolved.put(e.getKey(), unset);
        continue;
      }
      result.put(e.getKey(), assembled(node, reader.origins, methods, origin, Map.of()));
    }
    return new LlmAuthConfig(result, origin, unresolved);
  }

  /**
   * The configuration used when no file is given: one provider named {@code openai}, with the fields the installed
   * methods take from the environment ({@link CredentialMethod#environmentFallback()}).
   *
   * @param environment the environment
   * @return the configuration, with origin {@code environment}
   * @throws ConfigException when {@code OPENAI_AUTH_MODE} is invalid, or is {@code entra} without a base URL
   */
  public static LlmAuthConfig fromEnvironment(Map<String, String> environment) {
    return fromEnvironment(environment, MethodDiscovery.load(null));
  }

  /**
   * The configuration used when no file is given, with the given credential methods.
   *
   * @param environment the environment
   * @param methods the credential methods that take fields from the environment and parse their settings
   * @return the configuration, with origin {@code environment}
   * @throws ConfigException when {@code OPENAI_AUTH_MODE} is invalid, or is {@code entra} without a base URL
   */
  public static LlmAuthConfig fromEnvironment(Map<String, String> environment, List<CredentialMethod> methods) {
    String baseUrlVariable = variable(environment, "OPENAI_BASE_URL") == null
        && variable(environment, "OPENAI_API_BASE") != null ? "OPENAI_API_BASE" : "OPENAI_BASE_URL";
    Map<String, String> variables = new LinkedHashMap<>();
    for (CredentialMethod m : methods) {
      m.environmentFallback().forEach((field, name) -> {
        if (m.configKeys().contains(field)) {
          variables.putIfAbsent(field, name);
        }
      });
    }
    variables.put("baseUrl", baseUrlVariable);
    variables.put("authMode", "OPENAI_AUTH_MODE");
    String authMode = variable(environment, "OPENAI_AUTH_MODE");
    if (authMode != null && !ENVIRONMENT_AUTH_MODES.contains(authMode)) {
      throw new ConfigException("openai", "OPENAI_AUTH_MODE", ENVIRONMENT + ": OPENAI_AUTH_MODE is neither apiKey "
          + "nor entra; set it to apiKey or entra, or unset it to use the first configured method");
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    Map<String, String> pathOrigins = new LinkedHashMap<>();
    variables.forEach((field, name) -> {
      String value = variable(environment, name);
      if (value != null) {
        fields.put(field, value);
        origins.put(field, "env " + name);
        pathOrigins.put("providers.openai." + field, "env " + name);
      }
    });
    ConfigNode node = ConfigNode.of("openai", "providers.openai", fields, pathOrigins, ENVIRONMENT);
    return new LlmAuthConfig(Map.of("openai", assembled(node, origins, methods, ENVIRONMENT, variables)),
        ENVIRONMENT);
  }

  private static @Nullable String variable(Map<String, String> environment, String name) {
    String value = environment.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /**
   * Assembles and validates, prefixing errors with the origin and, for settings taken from an environment variable,
   * naming the variable instead of the field.
   */
  private static ProviderConfig assembled(ConfigNode node, Map<String, String> origins,
      List<CredentialMethod> methods, String origin, Map<String, String> variables) {
    try {
      return ProviderAssembler.assemble(node, origins, methods);
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
    private final Set<String> variablesUsed = new LinkedHashSet<>();
    /** Whether reading failed on a {@code ${env:NAME}} whose variable is not set. */
    boolean variableMissing;

    ProviderReader(String name, String origin, Map<String, String> environment) {
      this.name = name;
      this.origin = origin;
      this.environment = environment;
    }

    /** Where each set top-level field came from, and, by path, each value taken from the environment. */
    final Map<String, String> origins = new LinkedHashMap<>();
    private final Map<String, String> pathOrigins = new LinkedHashMap<>();

    /** Reads the provider object into a view, replacing {@code ${env:NAME}} and recording origins. */
    ConfigNode read(JsonElement element) {
      String path = "providers." + name;
      if (!element.isJsonObject()) {
        throw error(path, "expected an object but found " + kind(element), "write an object, such as {}");
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : element.getAsJsonObject().entrySet()) {
        variablesUsed.clear();
        Object value = plain(e.getValue(), path + "." + e.getKey());
        fields.put(e.getKey(), value);
        if (value != null) {
          String fieldOrigin = variablesUsed.isEmpty() ? origin
              : "env " + String.join(", ", variablesUsed) + " via " + origin;
          origins.put(e.getKey(), fieldOrigin);
          pathOrigins.put(path + "." + e.getKey(), fieldOrigin);
        }
      }
      return ConfigNode.of(name, path, fields, pathOrigins, origin);
    }

    /** A value as plain Java, with {@code ${env:NAME}} replaced in strings; JSON null stays {@code null}. */
    private @Nullable Object plain(JsonElement e, String path) {
      if (e.isJsonNull()) {
        return null;
      }
      if (e.isJsonObject()) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
          map.put(entry.getKey(), plain(entry.getValue(), path + "." + entry.getKey()));
        }
        return Collections.unmodifiableMap(map);
      }
      if (e.isJsonArray()) {
        JsonArray array = e.getAsJsonArray();
        List<Object> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          list.add(plain(array.get(i), path + "[" + i + "]"));
        }
        return Collections.unmodifiableList(list);
      }
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isBoolean()) {
        return p.getAsBoolean();
      }
      if (p.isNumber()) {
        java.math.BigDecimal number = p.getAsBigDecimal();
        if (Double.isInfinite(number.doubleValue())) {
          throw error(path, "the number is too large", "use a number within the range of a double");
        }
        return number;
      }
      return resolve(p.getAsString(), path);
    }

    /** Replaces {@code ${env:NAME}} references, recording the variables used and, by path, the origin. */
    private String resolve(String text, String path) {
      Matcher m = ENV_REF.matcher(text);
      StringBuilder sb = new StringBuilder();
      Set<String> here = new LinkedHashSet<>();
      while (m.find()) {
        String variable = m.group(1);
        if (variable.isEmpty() || m.group(2) == null) {
          throw error(path, "has a malformed ${env:...} reference", "write ${env:NAME} with the variable's name");
        }
        String value = environment.get(variable);
        if (value == null || value.isEmpty()) {
          variableMissing = true;
          throw error(path, "refers to ${env:" + variable + "}, but the environment variable " + variable
              + " is not set or empty", "set " + variable + ", or write the value in the file");
        }
        here.add(variable);
        m.appendReplacement(sb, Matcher.quoteReplacement(value));
      }
      m.appendTail(sb);
      if (!here.isEmpty()) {
        variablesUsed.addAll(here);
        pathOrigins.put(path, "env " + String.join(", ", here) + " via " + origin);
      }
      return sb.toString();
    }

    private ConfigException error(String path, String problem, String fix) {
      return new ConfigException(name, path, origin + ": provider '" + name + "', " + path + ": " + problem + "; "
          + fix);
    }
  }
}
