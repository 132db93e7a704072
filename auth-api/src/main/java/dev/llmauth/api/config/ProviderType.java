package dev.llmauth.api.config;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The kind of endpoint a provider is: it decides the default base URL, the header an API key goes in, and the
 * headers added to a request that has none of them. Bearer tokens (Entra, Codex sign-in, a command with {@code
 * sendAs: bearerToken}) go in {@code Authorization: Bearer} on every type.
 */
public enum ProviderType {
  /** OpenAI or any OpenAI-compatible endpoint; an API key goes in {@code Authorization: Bearer}. */
  OPENAI("openai", "https://api.openai.com/v1", null, Map.of()),
  /** Azure OpenAI; an API key goes in the {@code api-key} header; without a key, Entra ID is used. */
  AZURE_OPENAI("azure-openai", null, "api-key", Map.of()),
  /** The ChatGPT/Codex backend, reached with a ChatGPT sign-in. */
  CODEX("codex", "https://chatgpt.com/backend-api/codex", null, Map.of()),
  /**
   * The Anthropic Messages API; an API key goes in {@code x-api-key}, and {@code anthropic-version: 2023-06-01} is
   * added to a request that has no {@code anthropic-version}.
   */
  ANTHROPIC("anthropic", "https://api.anthropic.com/v1", "x-api-key", Map.of("anthropic-version", "2023-06-01")),
  /** The Gemini API (Google AI Studio); an API key goes in {@code x-goog-api-key}. */
  GEMINI("gemini", "https://generativelanguage.googleapis.com/v1beta", "x-goog-api-key", Map.of());

  private final String id;
  private final @Nullable String defaultBaseUrl;
  private final @Nullable String keyHeader;
  private final Map<String, String> defaultHeaders;

  ProviderType(String id, @Nullable String defaultBaseUrl, @Nullable String keyHeader,
      Map<String, String> defaultHeaders) {
    this.id = id;
    this.defaultBaseUrl = defaultBaseUrl;
    this.keyHeader = keyHeader;
    this.defaultHeaders = defaultHeaders;
  }

  /** @return the name used in configuration files, such as {@code azure-openai} */
  public String id() {
    return id;
  }

  /** @return the base URL used when none is configured, or {@code null} when one is required */
  public @Nullable String defaultBaseUrl() {
    return defaultBaseUrl;
  }

  /**
   * The header an API key goes in, such as {@code x-api-key}.
   *
   * @return the lower-case header name, or {@code null} when an API key goes in {@code Authorization: Bearer}
   */
  public @Nullable String keyHeader() {
    return keyHeader;
  }

  /**
   * Headers the endpoint needs on every request, added when neither the request nor the provider's static {@code
   * headers} has one of that name (a caller's value is never overwritten), whatever the credential method.
   *
   * @return lower-case names and their values, such as {@code anthropic-version: 2023-06-01}
   */
  public Map<String, String> defaultHeaders() {
    return defaultHeaders;
  }

  /**
   * Where an API key goes, for descriptions such as {@code "apiKey from … sent as x-api-key header"}.
   *
   * @return {@code as <key header> header}, or {@code as Authorization: Bearer} for a type without a key header
   */
  public String keyPlacement() {
    return keyHeader == null ? "as Authorization: Bearer" : "as " + keyHeader + " header";
  }

  /**
   * Looks a type up by its configuration name.
   *
   * @param id the name, such as {@code openai}
   * @return the type, or empty when the name is unknown
   */
  public static Optional<ProviderType> fromId(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
  }

  /** @return the allowed names, for error messages: {@code openai, azure-openai, codex, anthropic, gemini} */
  public static String allowedIds() {
    return Arrays.stream(values()).map(ProviderType::id).collect(Collectors.joining(", "));
  }
}
