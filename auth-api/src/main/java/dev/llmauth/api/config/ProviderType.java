package dev.llmauth.api.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The kind of endpoint a provider is: it decides the default base URL and how an API key is sent. */
public enum ProviderType {
  /** OpenAI or any OpenAI-compatible endpoint; an API key goes in {@code Authorization: Bearer}. */
  OPENAI("openai", "https://api.openai.com/v1"),
  /** Azure OpenAI; an API key goes in the {@code api-key} header; without a key, Entra ID is used. */
  AZURE_OPENAI("azure-openai", null),
  /** The ChatGPT/Codex backend, reached with a ChatGPT sign-in. */
  CODEX("codex", "https://chatgpt.com/backend-api/codex");

  private final String id;
  private final @Nullable String defaultBaseUrl;

  ProviderType(String id, @Nullable String defaultBaseUrl) {
    this.id = id;
    this.defaultBaseUrl = defaultBaseUrl;
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
   * Looks a type up by its configuration name.
   *
   * @param id the name, such as {@code openai}
   * @return the type, or empty when the name is unknown
   */
  public static Optional<ProviderType> fromId(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst();
  }

  /** @return the allowed names, for error messages: {@code openai, azure-openai, codex} */
  public static String allowedIds() {
    return Arrays.stream(values()).map(ProviderType::id).collect(Collectors.joining(", "));
  }
}
