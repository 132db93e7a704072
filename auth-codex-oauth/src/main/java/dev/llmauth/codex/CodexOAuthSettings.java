package dev.llmauth.codex;

import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.IssuerTimeouts;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code codex-oauth} method's settings of one provider, its {@code codexOAuth} block: a ChatGPT sign-in stored
 * in the Codex CLI's {@code auth.json}. {@link CodexSignIn.Builder#config} takes the same settings.
 *
 * @param authFile the file, or {@code null} for {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}
 * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
 * @param originator the {@code originator} value sent with requests and sign-in, or {@code null} for {@value
 *     #DEFAULT_ORIGINATOR}
 * @param timeouts how long connecting to the issuer ({@code connectTimeout}) and one whole call to it, its answer
 *     included ({@code timeout}), may take; {@link #DEFAULT_TIMEOUTS} (10 s and 30 s) unless the block sets them
 */
public record CodexOAuthSettings(@Nullable String authFile, @Nullable String issuer, @Nullable String originator,
    IssuerTimeouts timeouts) {
  /** The production issuer. */
  public static final String DEFAULT_ISSUER = "https://auth.openai.com";
  /** The originator the Codex CLI sends. */
  public static final String DEFAULT_ORIGINATOR = "codex_cli_rs";
  /** The issuer timeouts when the block sets none: 10 s to connect, 30 s for one whole call. */
  public static final IssuerTimeouts DEFAULT_TIMEOUTS = new IssuerTimeouts(Duration.ofSeconds(10),
      Duration.ofSeconds(30));

  /** Treats empty strings as unset and requires the timeouts. */
  public CodexOAuthSettings {
    authFile = emptyToNull(authFile);
    issuer = emptyToNull(issuer);
    originator = emptyToNull(originator);
    Objects.requireNonNull(timeouts, "timeouts");
  }

  /**
   * Settings with the default timeouts, {@link #DEFAULT_TIMEOUTS}.
   *
   * @param authFile the file, or {@code null} for the default
   * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
   * @param originator the {@code originator} value, or {@code null} for {@value #DEFAULT_ORIGINATOR}
   */
  public CodexOAuthSettings(@Nullable String authFile, @Nullable String issuer, @Nullable String originator) {
    this(authFile, issuer, originator, DEFAULT_TIMEOUTS);
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** @return {@link #originator()}, or the default when it is unset */
  String originatorOrDefault() {
    return originator != null ? originator : DEFAULT_ORIGINATOR;
  }

  /** @return {@link #issuer()}, or the default when it is unset */
  String issuerOrDefault() {
    return issuer != null ? issuer : DEFAULT_ISSUER;
  }

  /**
   * Returns these settings as the {@code codexOAuth} block of a provider object, for {@link
   * ProviderConfig.Builder#set}: {@code builder.set("codexOAuth", settings.toBlock())}. Timeouts other than the
   * defaults are written as durations ({@code "10s"}, {@code "1500ms"}).
   *
   * @return the fields that are set
   */
  public Map<String, String> toBlock() {
    Map<String, String> block = new LinkedHashMap<>();
    if (authFile != null) {
      block.put("authFile", authFile);
    }
    if (issuer != null) {
      block.put("issuer", issuer);
    }
    if (originator != null) {
      block.put("originator", originator);
    }
    if (!timeouts.connect().equals(DEFAULT_TIMEOUTS.connect())) {
      block.put(IssuerTimeouts.CONNECT_KEY, format(timeouts.connect()));
    }
    if (!timeouts.exchange().equals(DEFAULT_TIMEOUTS.exchange())) {
      block.put(IssuerTimeouts.EXCHANGE_KEY, format(timeouts.exchange()));
    }
    return Collections.unmodifiableMap(block);
  }

  /**
   * Writes a duration the way the {@code codexOAuth} block reads it ({@link ConfigNode#duration()}).
   *
   * @param d the duration
   * @return whole seconds as {@code "10s"}, anything else as milliseconds, {@code "1500ms"}
   */
  static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /** Shows the settings, the issuer without userinfo or query values ({@link ProviderConfig#redactUrl}). */
  @Override
  public String toString() {
    return "CodexOAuthSettings[authFile=" + authFile + ", issuer=" + (issuer == null ? null
        : ProviderConfig.redactUrl(issuer)) + ", originator=" + originator + ", connectTimeout="
        + format(timeouts.connect()) + ", timeout=" + format(timeouts.exchange()) + "]";
  }

  /** @return the defaults: the standard file, issuer, originator and timeouts */
  public static CodexOAuthSettings defaults() {
    return new CodexOAuthSettings(null, null, null);
  }
}
