package dev.llmauth.codex;

import dev.llmauth.api.config.ProviderConfig;
import org.jspecify.annotations.Nullable;

/**
 * The {@code codex-oauth} method's settings of one provider, its {@code codexOAuth} block: a ChatGPT sign-in stored
 * in the Codex CLI's {@code auth.json}.
 *
 * @param authFile the file, or {@code null} for {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}
 * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
 * @param originator the {@code originator} value sent with requests and sign-in, or {@code null} for {@value
 *     #DEFAULT_ORIGINATOR}
 */
public record CodexOAuthSettings(@Nullable String authFile, @Nullable String issuer, @Nullable String originator) {
  /** The production issuer. */
  public static final String DEFAULT_ISSUER = "https://auth.openai.com";
  /** The originator the Codex CLI sends. */
  public static final String DEFAULT_ORIGINATOR = "codex_cli_rs";

  /** Treats empty strings as unset. */
  public CodexOAuthSettings {
    authFile = emptyToNull(authFile);
    issuer = emptyToNull(issuer);
    originator = emptyToNull(originator);
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * Returns these settings as the {@code codexOAuth} block of a provider object, for {@link
   * ProviderConfig.Builder#set}: {@code builder.set("codexOAuth", settings.toBlock())}.
   *
   * @return the fields that are set
   */
  public java.util.Map<String, String> toBlock() {
    java.util.Map<String, String> block = new java.util.LinkedHashMap<>();
    if (authFile != null) {
      block.put("authFile", authFile);
    }
    if (issuer != null) {
      block.put("issuer", issuer);
    }
    if (originator != null) {
      block.put("originator", originator);
    }
    return java.util.Collections.unmodifiableMap(block);
  }

  /** Shows the settings, the issuer without userinfo or query values ({@link ProviderConfig#redactUrl}). */
  @Override
  public String toString() {
    return "CodexOAuthSettings[authFile=" + authFile + ", issuer=" + (issuer == null ? null
        : ProviderConfig.redactUrl(issuer)) + ", originator=" + originator + "]";
  }

  /** @return the defaults: the standard file, issuer and originator */
  public static CodexOAuthSettings defaults() {
    return new CodexOAuthSettings(null, null, null);
  }
}
