package dev.llmauth.codex;

import dev.llmauth.api.config.ProviderConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code codex-oauth} method's settings of one provider, its {@code codexOAuth} block: a ChatGPT sign-in stored
 * in the Codex CLI's {@code auth.json}. {@link CodexSignIn.Builder#config} takes the same settings.
 *
 * @param authFile the file, or {@code null} for {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}
 * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
 * @param originator the {@code originator} value sent with requests and sign-in, or {@code null} for {@value
 *     #DEFAULT_ORIGINATOR}
 * @param connectTimeout how long connecting to the issuer may take, or {@code null} for {@link
 *     #DEFAULT_CONNECT_TIMEOUT} (10 s)
 * @param callTimeout how long one call to the issuer may take, its whole answer included, or {@code null} for {@link
 *     #DEFAULT_CALL_TIMEOUT} (30 s)
 */
public record CodexOAuthSettings(@Nullable String authFile, @Nullable String issuer, @Nullable String originator,
    @Nullable Duration connectTimeout, @Nullable Duration callTimeout) {
  /** The production issuer. */
  public static final String DEFAULT_ISSUER = "https://auth.openai.com";
  /** The originator the Codex CLI sends. */
  public static final String DEFAULT_ORIGINATOR = "codex_cli_rs";
  /** How long connecting to the issuer may take when {@code connectTimeout} is unset: 10 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How long one call to the issuer may take when {@code callTimeout} is unset: 30 s. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  /** The longest {@code connectTimeout} or {@code callTimeout}: one day. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  /**
   * Treats empty strings as unset and checks the timeouts.
   *
   * @throws IllegalArgumentException when a timeout is not more than 0 and at most one day
   */
  public CodexOAuthSettings {
    authFile = emptyToNull(authFile);
    issuer = emptyToNull(issuer);
    originator = emptyToNull(originator);
    checkTimeout("connectTimeout", connectTimeout);
    checkTimeout("callTimeout", callTimeout);
  }

  /**
   * Settings with the default timeouts.
   *
   * @param authFile the file, or {@code null} for the default
   * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
   * @param originator the {@code originator} value, or {@code null} for {@value #DEFAULT_ORIGINATOR}
   */
  public CodexOAuthSettings(@Nullable String authFile, @Nullable String issuer, @Nullable String originator) {
    this(authFile, issuer, originator, null, null);
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static void checkTimeout(String field, @Nullable Duration timeout) {
    if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
      throw new IllegalArgumentException("codexOAuth." + field + " " + timeout + " must be more than 0 and at most "
          + "one day");
    }
  }

  /** @return {@link #connectTimeout()}, or the default when it is unset */
  Duration connectTimeoutOrDefault() {
    return connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
  }

  /** @return {@link #callTimeout()}, or the default when it is unset */
  Duration callTimeoutOrDefault() {
    return callTimeout != null ? callTimeout : DEFAULT_CALL_TIMEOUT;
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
   * ProviderConfig.Builder#set}: {@code builder.set("codexOAuth", settings.toBlock())}. Timeouts are written as
   * durations ({@code "10s"}, {@code "1500ms"}).
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
    if (connectTimeout != null) {
      block.put("connectTimeout", format(connectTimeout));
    }
    if (callTimeout != null) {
      block.put("callTimeout", format(callTimeout));
    }
    return Collections.unmodifiableMap(block);
  }

  /**
   * Writes a duration the way the {@code codexOAuth} block reads it.
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
        + (connectTimeout == null ? null : format(connectTimeout)) + ", callTimeout="
        + (callTimeout == null ? null : format(callTimeout)) + "]";
  }

  /** @return the defaults: the standard file, issuer, originator and timeouts */
  public static CodexOAuthSettings defaults() {
    return new CodexOAuthSettings(null, null, null, null, null);
  }
}
