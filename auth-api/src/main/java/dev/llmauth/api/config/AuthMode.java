package dev.llmauth.api.config;

import java.util.List;

/**
 * The values of a provider's {@code authMode}, which pins one credential method. Third-party methods add
 * their own values through {@link dev.llmauth.api.spi.CredentialProvider#authMode()}.
 */
public final class AuthMode {
  /** An API key or a static bearer token ({@code apiKey}, {@code bearerToken}). */
  public static final String API_KEY = "apiKey";
  /** Microsoft Entra ID: managed identity or the DefaultAzureCredential chain. */
  public static final String ENTRA = "entra";
  /** A stored ChatGPT sign-in. */
  public static final String CODEX_OAUTH = "codex-oauth";

  /** The built-in values, in resolution order. */
  public static final List<String> BUILT_IN = List.of(API_KEY, CODEX_OAUTH, ENTRA);

  private AuthMode() {}
}
