package dev.llmauth.api.spi;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of one value of a provider's configuration, as a {@link CredentialMethod} reads its own
 * settings in {@link CredentialMethod#parseConfig}. {@code ${env:NAME}} references are already replaced; {@link
 * #origin()} tells where the value came from (for example {@code env CID via file /etc/llm-auth.jsonc}), and every
 * node knows its {@linkplain #path() path} ({@code providers.azure.managedIdentity.clientId}), so that an error made
 * with {@link #error} names the provider, the field and the fix, in the same words for every method.
 *
 * <p>The accessors never put a value into an error message, only its kind (a string, a number, ...), except
 * {@link #duration()}, which quotes a string that is not a duration. A value that is
 * absent and a JSON {@code null} are both {@linkplain #isMissing() missing}; an empty string counts as unset.
 *
 * <p>In a test of a method's parsing, {@link #of} builds a view from plain Java values:
 *
 * <pre>{@code
 * ConfigNode provider = ConfigNode.of("p", Map.of("tokenFile", "/run/token"), "test");
 * }</pre>
 */
public final class ConfigNode {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Duration MAX_DURATION = Duration.ofDays(1);
  private final String provider;
  private final String path;
  private final @Nullable Object value;
  private final String origin;

  private ConfigNode(String provider, String path, @Nullable Object value, String origin) {
    this.provider = provider;
    this.path = path;
    this.value = value;
    this.origin = origin;
  }

  /**
   * Builds the view of one provider object from plain Java values, all from one origin.
   *
   * @param provider the provider's name
   * @param settings the provider's fields: {@code String}, {@code Boolean}, {@code Number}, {@code List} and {@code
   *     Map} values, {@code null} for JSON null
   * @param origin where the values came from, such as {@code code} or {@code file /etc/llm-auth.jsonc}
   * @return the view, at path {@code providers.<provider>}
   */
  public static ConfigNode of(String provider, Map<String, ?> settings, String origin) {
    return of(provider, "providers." + provider, settings, Map.of(), origin);
  }

  /**
   * Builds a view from plain Java values, with the origin of some values given by path.
   *
   * @param provider the provider's name
   * @param path the path of {@code value}, such as {@code providers.p}
   * @param value the value: {@code String}, {@code Boolean}, {@code Number}, {@code List}, {@code Map} or {@code null}
   * @param origins the origin of values by their full path; values not listed have {@code origin}
   * @param origin the origin of everything else
   * @return the view
   * @throws IllegalArgumentException when a value is of another type
   */
  public static ConfigNode of(String provider, String path, @Nullable Object value, Map<String, String> origins,
      String origin) {
    Objects.requireNonNull(provider, "provider");
    String own = origins.getOrDefault(path, origin);
    if (value instanceof Map<?, ?> map) {
      Map<String, ConfigNode> members = new LinkedHashMap<>();
      map.forEach((k, v) -> {
        String key = String.valueOf(k);
        members.put(key, of(provider, path + "." + key, v, origins, origin));
      });
      return new ConfigNode(provider, path, Collections.unmodifiableMap(members), own);
    }
    if (value instanceof List<?> list) {
      List<ConfigNode> items = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        items.add(of(provider, path + "[" + i + "]", list.get(i), origins, origin));
      }
      return new ConfigNode(provider, path, Collections.unmodifiableList(items), own);
    }
    if (value instanceof Number n) {
      return new ConfigNode(provider, path, n instanceof BigDecimal d ? d : new BigDecimal(n.toString()), own);
    }
    if (value == null || value instanceof String || value instanceof Boolean) {
      return new ConfigNode(provider, path, value, own);
    }
    throw new IllegalArgumentException(path + ": a configuration value is a String, Boolean, Number, List, Map or "
        + "null, not a " + value.getClass().getSimpleName());
  }

  /** @return the provider's name */
  public String provider() {
    return provider;
  }

  /** @return the value's path, such as {@code providers.azure.managedIdentity} */
  public String path() {
    return path;
  }

  /**
   * Where the value came from: the configuration's origin ({@code file ...}, {@code code}, {@code environment}), or
   * {@code env NAME via ...} when an environment variable went into it or, for an object, into any of its values.
   *
   * @return the origin
   */
  public String origin() {
    return origin;
  }

  /** @return whether this value is absent or JSON {@code null} */
  public boolean isMissing() {
    return value == null;
  }

  /** @return whether this value is unset: {@linkplain #isMissing() missing} or an empty string */
  public boolean isUnset() {
    return value == null || "".equals(value);
  }

  /** @return whether this value is a JSON object */
  public boolean isObject() {
    return value instanceof Map;
  }

  /** @return what this value is, for messages: {@code an object}, {@code a string}, ..., {@code null} */
  public String kind() {
    if (value instanceof Map) {
      return "an object";
    }
    if (value instanceof List) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof BigDecimal) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return "null";
  }

  /** @return the keys of an object, in file order; empty for any other value */
  public Set<String> keys() {
    return value instanceof Map<?, ?> map ? members().keySet() : Set.of();
  }

  /**
   * Returns a member of an object.
   *
   * @param key the member's name
   * @return the member, or a {@linkplain #isMissing() missing} node at its path when there is none (or this is not
   *     an object)
   */
  public ConfigNode get(String key) {
    ConfigNode member = value instanceof Map ? members().get(key) : null;
    return member != null ? member : new ConfigNode(provider, path + "." + key, null, origin);
  }

  /** @return the items of an array; empty for any other value */
  @SuppressWarnings("unchecked")
  public List<ConfigNode> items() {
    return value instanceof List ? (List<ConfigNode>) value : List.of();
  }

  /**
   * Returns a string value.
   *
   * @return the string, or {@code null} when the value is missing or empty
   * @throws ConfigException naming the path when the value is not a string
   */
  public @Nullable String text() {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw error("expected a string but found " + kind(), "put the value in double quotes");
    }
    return s.isEmpty() ? null : s;
  }

  /**
   * Returns a string value as a {@link Secret}. Declare the field in {@link CredentialMethod#secretFields()} too,
   * so that diagnostics never show it.
   *
   * @return the secret, or {@code null} when the value is missing or empty
   * @throws ConfigException naming the path when the value is not a string
   */
  public @Nullable Secret secret() {
    String s = text();
    return s == null ? null : Secret.of(s);
  }

  /**
   * Returns a string value that must be an absolute {@code http} or {@code https} URL with a host.
   *
   * @param example a valid URL for the error's fix, such as {@code https://auth.openai.com}
   * @return the URL, or {@code null} when the value is missing or empty
   * @throws ConfigException naming the path when the value is not a string or not such a URL
   */
  public @Nullable String httpUrl(String example) {
    String url = text();
    if (url == null) {
      return null;
    }
    if (!url.chars().allMatch(ch -> ch < 0x7f && ch > 0x20)) {
      throw error("not an absolute http(s) URL: it has a space, control or non-ASCII character",
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
      throw error("not an absolute http(s) URL", "write the full URL, such as " + example);
    }
    return url;
  }

  /**
   * Returns a boolean value.
   *
   * @return the boolean, or {@code null} when missing
   * @throws ConfigException naming the path when the value is not {@code true} or {@code false}
   */
  public @Nullable Boolean bool() {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Boolean b)) {
      throw error("expected true or false but found " + kind(), "write true or false without quotes");
    }
    return b;
  }

  /**
   * Returns a number value.
   *
   * @return the number, or {@code null} when missing
   * @throws ConfigException naming the path when the value is not a number
   */
  public @Nullable BigDecimal number() {
    if (value == null) {
      return null;
    }
    if (!(value instanceof BigDecimal d)) {
      throw error("expected a number but found " + kind(), "write a number without quotes");
    }
    return d;
  }

  /**
   * Returns a duration: a whole number with a unit, {@code "500ms"}, {@code "10s"}, {@code "5m"} or {@code "1h"}, or
   * a number of seconds such as {@code 0.5}; more than zero and at most one day. A string that is not a duration is
   * quoted in the error (a duration is no secret); other values are named by their kind only.
   *
   * @return the duration, or {@code null} when missing or empty
   * @throws ConfigException naming the path when the value is not such a duration
   */
  public @Nullable Duration duration() {
    if (value == null || "".equals(value)) {
      return null;
    }
    String fix = "write a whole number with a unit, such as \"500ms\", \"10s\", \"5m\" or \"1h\", or a number of "
        + "seconds";
    Duration d;
    if (value instanceof BigDecimal number) {
      double seconds = number.doubleValue();
      if (Double.isNaN(seconds) || seconds <= 0 || seconds > MAX_DURATION.toSeconds()) {
        throw error("must be more than 0 and at most one day", fix);
      }
      d = Duration.ofMillis(Math.round(seconds * 1000));
    } else if (value instanceof String s) {
      Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
      if (!m.matches() || m.group(1).length() > 9) {
        throw error("\"" + s + "\" is not a duration", fix);
      }
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } else {
      throw error("expected a duration but found " + kind(), fix);
    }
    if (d.isZero() || d.compareTo(MAX_DURATION) > 0) {
      throw error("must be more than 0 and at most one day", fix);
    }
    return d;
  }

  /**
   * Requires an object whose keys are all among {@code allowed} (no check when none are given).
   *
   * @param allowed the keys the object may have
   * @return this node
   * @throws ConfigException naming the path when the value is not an object, or the unknown key's path and the keys
   *     allowed
   */
  public ConfigNode object(String... allowed) {
    if (!(value instanceof Map)) {
      throw error("expected an object but found " + kind(), "write an object, such as {}");
    }
    if (allowed.length > 0) {
      List<String> keys = List.of(allowed);
      for (String key : keys()) {
        if (!keys.contains(key)) {
          throw get(key).error("unknown field", "use " + String.join(", ", allowed));
        }
      }
    }
    return this;
  }

  /**
   * Makes the error for this value, in the words every configuration error uses: {@code provider 'p', <path>:
   * <problem>; <fix>}. Never put the value itself in {@code problem} when it may be a secret.
   *
   * @param problem what is wrong
   * @param fix how to fix it
   * @return the exception, to throw
   */
  public ConfigException error(String problem, String fix) {
    return new ConfigException(provider, path, "provider '" + provider + "', " + path + ": " + problem + "; " + fix);
  }

  /**
   * Returns the value as plain Java: {@code String}, {@code Boolean}, {@code BigDecimal}, {@code List} or {@code
   * Map}, with JSON null and empty-string members and items left out (they count as unset).
   *
   * @return the value, or {@code null} when missing
   */
  public @Nullable Object plain() {
    if (value instanceof Map) {
      Map<String, Object> map = new LinkedHashMap<>();
      members().forEach((k, v) -> {
        Object p = v.plain();
        if (p != null) {
          map.put(k, p);
        }
      });
      return Collections.unmodifiableMap(map);
    }
    if (value instanceof List) {
      List<Object> list = new ArrayList<>();
      for (ConfigNode item : items()) {
        Object p = item.plain();
        if (p != null) {
          list.add(p);
        }
      }
      return Collections.unmodifiableList(list);
    }
    return "".equals(value) ? null : value;
  }

  @SuppressWarnings("unchecked")
  private Map<String, ConfigNode> members() {
    return (Map<String, ConfigNode>) Objects.requireNonNull(value);
  }

  /** Two views are equal when they hold the same values at the same paths, from the same origins. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ConfigNode n && provider.equals(n.provider) && path.equals(n.path) && origin.equals(n.origin)
        && Objects.equals(value, n.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, path, origin, value);
  }

  /** Shows the path and the kind of value, never the value. */
  @Override
  public String toString() {
    return "ConfigNode[" + path + ", " + kind() + "]";
  }
}
