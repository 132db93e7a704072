package dev.llmauth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.CredentialNotFoundException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The api-key method")
class ApiKeyMethodTest {
  private static final OutgoingRequest REQUEST =
      OutgoingRequest.of("POST", URI.create("https://api.example.test/v1/chat/completions"), Map.of());

  private static Map<String, String> headers(RequestAuthenticator a) {
    Authorization z = a.authorize(REQUEST);
    Map<String, String> out = new HashMap<>();
    z.forEachHeader(out::put);
    return out;
  }

  private static LlmAuth auth(ProviderConfig... providers) {
    return LlmAuth.builder().config(LlmAuthConfig.of(providers)).environment(Map.of()).build();
  }

  @Test
  @DisplayName("is found by ServiceLoader and sends an OpenAI key as a bearer token")
  void openAiKey() {
    try (LlmAuth a = auth(ProviderConfig.builder("openai").set("apiKey", "sk-test-1").build())) {
      RequestAuthenticator r = a.authenticator("openai");
      assertThat(r.method()).isEqualTo("api-key");
      assertThat(headers(r)).containsExactly(Map.entry("Authorization", "Bearer sk-test-1"));
    }
  }

  @Test
  @DisplayName("sends an Azure OpenAI key in the api-key header")
  void azureKey() {
    try (LlmAuth a = auth(ProviderConfig.builder("az").type(ProviderType.AZURE_OPENAI)
        .baseUrl("https://res.openai.azure.com/openai/v1").set("apiKey", "az-key").build())) {
      assertThat(headers(a.authenticator("az"))).containsExactly(Map.entry("api-key", "az-key"));
    }
  }

  @Test
  @DisplayName("sends an Anthropic key in x-api-key with anthropic-version, a Gemini key in x-goog-api-key")
  void anthropicAndGeminiKeys() {
    LlmAuthConfig config = LlmAuthConfig.parse("""
        {"providers": {
          "claude": {"type": "anthropic", "apiKey": "sk-ant-1"},
          "gemini": {"type": "gemini", "apiKey": "AIza-1"},
          "claude-token": {"type": "anthropic", "bearerToken": "oauth-1"}
        }}""", "test.jsonc", Map.of());
    try (LlmAuth a = LlmAuth.builder().config(config).environment(Map.of()).build()) {
      assertThat(headers(a.authenticator("claude"))).containsOnly(Map.entry("x-api-key", "sk-ant-1"),
          Map.entry("anthropic-version", "2023-06-01"));
      assertThat(a.authenticator("claude").describe()).isEqualTo("apiKey from test.jsonc sent as x-api-key header");
      assertThat(headers(a.authenticator("gemini"))).containsOnly(Map.entry("x-goog-api-key", "AIza-1"));
      assertThat(a.authenticator("gemini").describe()).endsWith("sent as x-goog-api-key header");
      assertThat(headers(a.authenticator("claude-token"))).containsOnly(Map.entry("Authorization", "Bearer oauth-1"),
          Map.entry("anthropic-version", "2023-06-01"));
    }
  }

  @Test
  @DisplayName("uses a static bearer token when there is no key, and the key when there are both")
  void bearerToken() {
    try (LlmAuth a = auth(ProviderConfig.builder("gw").set("bearerToken", "static-1").build(),
        ProviderConfig.builder("both").set("bearerToken", "static-2").set("apiKey", "key-2").build())) {
      assertThat(headers(a.authenticator("gw"))).containsEntry("Authorization", "Bearer static-1");
      assertThat(headers(a.authenticator("both"))).containsEntry("Authorization", "Bearer key-2");
    }
  }

  @Test
  @DisplayName("says where the key goes: Authorization, api-key, or the provider-data header when one is set")
  void placementInDescriptions() {
    String data = "X-LlamaStack-Provider-Data";
    try (LlmAuth a = auth(ProviderConfig.builder("openai").set("apiKey", "sk-1").build(),
        ProviderConfig.builder("az").type(ProviderType.AZURE_OPENAI).baseUrl("https://res.openai.azure.com/openai/v1")
            .set("apiKey", "az-1").build(),
        ProviderConfig.builder("gw").baseUrl("https://gw.example.test/v1").set("apiKey", "sk-2")
            .providerDataHeader(data).build(),
        ProviderConfig.builder("gw-az").type(ProviderType.AZURE_OPENAI).baseUrl("https://gw.example.test/v1")
            .set("apiKey", "az-2").providerDataHeader(data).build(),
        ProviderConfig.builder("gw-bearer").baseUrl("https://gw.example.test/v1").set("bearerToken", "st-1")
            .providerDataHeader(data).build())) {
      assertThat(detail(a, "openai")).endsWith("sent as Authorization: Bearer");
      assertThat(detail(a, "az")).endsWith("sent as api-key header");
      for (String gateway : new String[] {"gw", "gw-az", "gw-bearer"}) {
        RequestAuthenticator r = a.authenticator(gateway);
        String inData = "sent in the " + data + " header as azure_api_key (no Authorization)";
        assertThat(detail(a, gateway)).as(gateway).endsWith(inData);
        assertThat(r.describe()).as(gateway).contains(inData);
        assertThat(headers(r)).as(gateway).containsOnlyKeys(data);
        assertThat(headers(r).get(data)).contains("\"azure_api_key\"");
      }
    }
  }

  private static String detail(LlmAuth a, String provider) {
    return a.explain(provider).chosen().orElseThrow().detail();
  }

  @Test
  @DisplayName("a rejected key is not worth a replay")
  void noReplay() {
    try (LlmAuth a = auth(ProviderConfig.builder("openai").set("apiKey", "sk").build())) {
      RequestAuthenticator r = a.authenticator("openai");
      assertThat(r.invalidate(r.authorize(REQUEST))).isFalse();
    }
  }

  @Test
  @DisplayName("pinned with authMode apiKey but without a key, the error says what is missing")
  void pinnedWithoutKey() {
    try (LlmAuth a = auth(ProviderConfig.builder("openai").authMode("apiKey").build())) {
      assertThatThrownBy(() -> a.authenticator("openai")).isInstanceOf(CredentialNotFoundException.class)
          .hasMessageContaining("api-key: no apiKey or bearerToken set");
    }
  }

  @Test
  @DisplayName("descriptions and errors never contain the key")
  void noLeak() {
    try (LlmAuth a = auth(ProviderConfig.builder("openai").set("apiKey", "sk-leak-check").build())) {
      RequestAuthenticator r = a.authenticator("openai");
      assertThat(r.describe() + r + a.explain("openai") + a.authenticator("openai").authorize(REQUEST))
          .doesNotContain("sk-leak-check");
    }
  }
}
