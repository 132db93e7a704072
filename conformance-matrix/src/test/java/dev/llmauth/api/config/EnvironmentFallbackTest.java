package dev.llmauth.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentFallbackTest {
  @Test
  void nothingSetGivesAnEmptyOpenaiProvider() {
    LlmAuthConfig config = LlmAuthConfig.fromEnvironment(Map.of("PATH", "/bin"));
    assertThat(config.origin()).isEqualTo("environment");
    assertThat(config.providers()).containsOnlyKeys("openai");
    ProviderConfig p = config.provider("openai");
    assertThat(p.type()).isEqualTo(ProviderType.OPENAI);
    assertThat(ApiKeys.apiKey(p)).isNull();
    assertThat(p.baseUrl()).isNull();
    assertThat(p.authMode()).isNull();
    assertThat(p.origins()).isEmpty();
  }

  @Test
  void keyAndBaseUrlWithTheirOrigins() {
    ProviderConfig p = LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-env",
        "OPENAI_BASE_URL", "http://127.0.0.1:9/v1", "OPENAI_AUTH_MODE", "apiKey")).provider("openai");
    assertThat(ApiKeys.apiKey(p)).isEqualTo(Secret.of("sk-env"));
    assertThat(p.baseUrl()).isEqualTo("http://127.0.0.1:9/v1");
    assertThat(p.authMode()).isEqualTo("apiKey");
    assertThat(p.origins()).containsOnly(Map.entry("apiKey", "env OPENAI_API_KEY"),
        Map.entry("baseUrl", "env OPENAI_BASE_URL"), Map.entry("authMode", "env OPENAI_AUTH_MODE"));
  }

  @Test
  void openaiApiBaseIsAnAliasThatBaseUrlWins() {
    assertThat(LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_BASE", "https://alias")).provider("openai"))
        .satisfies(p -> {
          assertThat(p.baseUrl()).isEqualTo("https://alias");
          assertThat(p.originOf("baseUrl")).isEqualTo("env OPENAI_API_BASE");
        });
    assertThat(LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_BASE", "https://alias",
        "OPENAI_BASE_URL", "https://main")).provider("openai").baseUrl()).isEqualTo("https://main");
    assertThat(LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_BASE", "https://alias",
        "OPENAI_BASE_URL", "")).provider("openai").baseUrl()).isEqualTo("https://alias");
  }

  @Test
  void emptyValuesCountAsUnset() {
    ProviderConfig p = LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_KEY", "", "OPENAI_BASE_URL", "",
        "OPENAI_AUTH_MODE", "", "AZURE_CLIENT_ID", "")).provider("openai");
    assertThat(ApiKeys.apiKey(p)).isNull();
    assertThat(p.baseUrl()).isNull();
    assertThat(p.authMode()).isNull();
    assertThat(p.origins()).isEmpty();
  }

  @Test
  void entraUsesTheDefaultChain() {
    ProviderConfig p = LlmAuthConfig.fromEnvironment(Map.of("OPENAI_AUTH_MODE", "entra",
        "OPENAI_BASE_URL", "https://r.openai.azure.com/openai/v1")).provider("openai");
    assertThat(p.authMode()).isEqualTo("entra");
    assertThat(p.methodConfigs()).doesNotContainKey("entra");
    assertThat(p.originOf("authMode")).isEqualTo("env OPENAI_AUTH_MODE");
    try (dev.llmauth.api.LlmAuth auth = dev.llmauth.api.LlmAuth.builder().config(new LlmAuthConfig(Map.of("openai",
        p), "environment")).environment(Map.of("AZURE_TOKEN_CREDENTIALS", "dev")).build()) {
      assertThat(auth.explain("openai").chosen()).hasValueSatisfying(c -> assertThat(c.detail())
          .isEqualTo("DefaultAzureCredential narrowed to dev by AZURE_TOKEN_CREDENTIALS (authMode is entra)"));
    }
  }

  @Test
  void entraWithoutBaseUrlNamesOpenaiBaseUrl() {
    assertThatThrownBy(() -> LlmAuthConfig.fromEnvironment(Map.of("OPENAI_AUTH_MODE", "entra")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment (OPENAI_BASE_URL): ")
        .hasMessageContaining("authMode entra needs a baseUrl")
        .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("OPENAI_BASE_URL"));
  }

  @Test
  void anInvalidBaseUrlNamesTheVariableItCameFrom() {
    assertThatThrownBy(() -> LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_BASE", "api.example.com")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment (OPENAI_API_BASE): ")
        .hasMessageContaining("not an absolute http(s) URL");
  }

  @Test
  void anInvalidAuthModeNamesTheVariableAndTheAllowedValues() {
    assertThatThrownBy(() -> LlmAuthConfig.fromEnvironment(Map.of("OPENAI_AUTH_MODE", "codex-oauth")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OPENAI_AUTH_MODE is neither apiKey nor entra")
        .hasMessageContaining("set it to apiKey or entra")
        .message().doesNotContain("codex-oauth");
    assertThatThrownBy(() -> LlmAuthConfig.fromEnvironment(Map.of("OPENAI_AUTH_MODE", "x")))
        .satisfies(e -> assertThat(((ConfigException) e).provider()).isEqualTo("openai"));
  }
}
