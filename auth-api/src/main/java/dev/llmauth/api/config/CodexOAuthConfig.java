package dev.llmauth.api.config;

import org.jspecify.annotations.Nullable;

/**
 * A ChatGPT sign-in stored in the Codex CLI's {@code auth.json}.
 *
 * @param authFile the file, or {@code null} for {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json}
 * @param issuer the OAuth issuer, or {@code null} for {@value #DEFAULT_ISSUER}
 * @param originator the {@code originator} value sent with requests and sign-in, or {@code null} for {@value
 *     #DEFAULT_ORIGINATOR}
 */
public record CodexOAuthConfig(@Nullable String authFile, @Nullable String issuer, @Nullable String originator) {
  /** The production issuer. */
  public static final String DEFAULT_ISSUER = "https://auth.openai.com";
  /** The originator the Codex CLI sends. */
  public static final String DEFAULT_ORIGINATOR = "codex_cli_rs";

  /** Treats empty strings as unset. */
  public CodexOAuthConfig {
    authFile = ProviderConfig.emptyToNull(authFile);
    issuer = ProviderConfig.emptyToNull(issuer);
    originator = ProviderConfig.emptyToNull(originator);
  }

  /** Shows the settings, the issuer without userinfo or query values ({@link ProviderConfig#redactUrl}). */
  @Override
  public String toString() {
    return "CodexOAuthConfig[authFile=" + authFile + ", issuer=" + (issuer == null ? null
        : ProviderConfig.redactUrl(issuer)) + ", originator=" + originator + "]";
  }

  /** @return the defaults: the standard file, issuer and originator */
  public static CodexOAuthConfig defaults() {
    return new CodexOAuthConfig(null, null, null);
  }
}
