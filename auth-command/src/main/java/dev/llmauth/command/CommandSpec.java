package dev.llmauth.command;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A provider's {@code command} block, parsed and validated. Errors are {@link ConfigException}s that name the
 * field path ({@code providers.<name>.command.argv}) and the fix; they quote durations and names, never an argument
 * or an environment value, which may be secret.
 *
 * @param argv the program and its arguments, run without a shell
 * @param timeout how long one run may take
 * @param refreshAfter how long a token without an expiry is used before the command runs again
 * @param format how stdout is read
 * @param sendAs how the token goes onto a request
 * @param env variables added to the command's environment
 */
record CommandSpec(
    List<String> argv,
    Duration timeout,
    Duration refreshAfter,
    Format format,
    SendAs sendAs,
    Map<String, String> env) {
  /** The provider field holding the block. */
  static final String FIELD = "command";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_REFRESH_AFTER = Duration.ofMinutes(5);
  private static final List<String> KEYS = List.of("argv", "timeout", "refreshAfter", "format", "sendAs", "env");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  CommandSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
  }

  /** How the command's stdout is read. */
  enum Format {
    /** JSON when the output starts with {@code {}, else text. */
    AUTO,
    /** The whole output, stripped, is the token. */
    TEXT,
    /** A JSON object with {@code token} and optionally {@code expires_in} or {@code expires_at}. */
    JSON
  }

  /** How the token goes onto a request. */
  enum SendAs {
    /** Like the {@code apiKey} field: {@code api-key} on Azure OpenAI, {@code Authorization: Bearer} elsewhere. */
    API_KEY("apiKey"),
    /** Like the {@code bearerToken} field: always {@code Authorization: Bearer}. */
    BEARER_TOKEN("bearerToken");

    final String id;

    SendAs(String id) {
      this.id = id;
    }
  }

  /** @return the program's file name, for messages: never an argument */
  String program() {
    String p = argv.get(0);
    int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return slash >= 0 && slash < p.length() - 1 ? p.substring(slash + 1) : p;
  }

  /**
   * Reads the block of {@code config}.
   *
   * @return the spec, or {@code null} when the provider has no {@code command} field
   * @throws ConfigException when the block is invalid
   */
  static @Nullable CommandSpec of(ProviderConfig config) {
    return of(config.settings());
  }

  /**
   * Reads the {@code command} block of a provider object, as the core hands it to {@link
   * CommandMethod#parseConfig}.
   *
   * @return the spec, or {@code null} when the provider has no {@code command} field
   * @throws ConfigException when the block is invalid
   */
  static @Nullable CommandSpec of(ConfigNode provider) {
    String config = provider.provider();
    Object block = provider.get(FIELD).plain();
    if (block == null) {
      return null;
    }
    String path = "providers." + config + "." + FIELD;
    if (!(block instanceof Map<?, ?> map)) {
      throw error(config, path, "expected an object but found " + kind(block),
          "write an object, such as {\"argv\": [\"op\", \"read\", \"op://vault/openai/key\"]}");
    }
    for (Object key : map.keySet()) {
      if (!KEYS.contains(String.valueOf(key))) {
        throw error(config, path + "." + key, "unknown field", "use " + String.join(", ", KEYS));
      }
    }
    return new CommandSpec(
        argv(config, path + ".argv", map.get("argv")),
        duration(provider.get(FIELD).get("timeout"), DEFAULT_TIMEOUT),
        duration(provider.get(FIELD).get("refreshAfter"), DEFAULT_REFRESH_AFTER),
        choice(config, path + ".format", map.get("format"), Format.AUTO, Format.values()),
        sendAs(config, path + ".sendAs", map.get("sendAs")),
        env(config, path + ".env", map.get("env")));
  }

  private static List<String> argv(String config, String path, @Nullable Object value) {
    String fix = "give the program and its arguments as an array of strings, such as [\"op\", \"read\", "
        + "\"op://vault/openai/key\"]; no shell is involved";
    if (value == null) {
      throw error(config, path, "missing", fix);
    }
    if (!(value instanceof List<?> list)) {
      throw error(config, path, "expected an array of strings but found " + kind(value), fix);
    }
    if (list.isEmpty()) {
      throw error(config, path, "empty", fix);
    }
    List<String> argv = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw error(config, path + "[" + i + "]", "expected a string but found " + kind(list.get(i)),
            "put the argument in double quotes");
      }
      argv.add(s);
    }
    return argv;
  }

  private static Duration duration(ConfigNode value, Duration fallback) {
    Duration d = value.duration();
    return d == null ? fallback : d;
  }

  private static SendAs sendAs(String config, String path, @Nullable Object value) {
    if (value == null) {
      return SendAs.API_KEY;
    }
    for (SendAs s : SendAs.values()) {
      if (s.id.equals(value)) {
        return s;
      }
    }
    throw error(config, path, value instanceof String s ? "unknown value \"" + s + "\"" : "expected a string but "
        + "found " + kind(value), "use apiKey (sent like the apiKey field) or bearerToken (always Authorization: "
        + "Bearer)");
  }

  private static <E extends Enum<E>> E choice(
      String config, String path, @Nullable Object value, E fallback, E[] values) {
    if (value == null) {
      return fallback;
    }
    List<String> ids = new ArrayList<>();
    for (E e : values) {
      String id = e.name().toLowerCase(Locale.ROOT);
      ids.add(id);
      if (id.equals(value)) {
        return e;
      }
    }
    throw error(config, path, value instanceof String s ? "unknown value \"" + s + "\"" : "expected a string but "
        + "found " + kind(value), "use one of " + String.join(", ", ids));
  }

  private static Map<String, String> env(String config, String path, @Nullable Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw error(config, path, "expected an object but found " + kind(value),
          "write an object of variable names and string values, such as {\"VAULT_ADDR\": \"https://vault:8200\"}");
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!ENV_NAME.matcher(name).matches()) {
        throw error(config, path, "\"" + name + "\" is not a variable name",
            "use letters, digits and underscores, not starting with a digit");
      }
      if (!(e.getValue() instanceof String v)) {
        throw error(config, path + "." + name, "expected a string but found " + kind(e.getValue()),
            "put the value in double quotes");
      }
      env.put(name, v);
    }
    return env;
  }

  private static ConfigException error(String config, String path, String problem, String fix) {
    return new ConfigException(config, path, "provider '" + config + "', " + path + ": " + problem
        + "; " + fix);
  }

  private static String kind(@Nullable Object value) {
    if (value instanceof String) {
      return "a string";
    } else if (value instanceof Number) {
      return "a number";
    } else if (value instanceof Boolean) {
      return "a boolean";
    } else if (value instanceof List) {
      return "an array";
    } else if (value instanceof Map) {
      return "an object";
    }
    return "null";
  }
}
