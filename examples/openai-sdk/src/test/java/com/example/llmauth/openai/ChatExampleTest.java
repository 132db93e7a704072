package com.example.llmauth.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import org.junit.jupiter.api.Test;

class ChatExampleTest {
  @Test
  void theExampleAsksAnOpenAiProviderWithItsKey() {
    try (MockModelServer model = new MockModelServer().start()) {
      String key = "sk-example-" + System.nanoTime();
      ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
          .set("apiKey", key).build();

      assertThat(ChatExample.ask(LlmAuthConfig.of(openai), "openai", "gpt-4o-mini", "Say hello."))
          .isEqualTo(MockModelServer.ANSWER);
      RecordedRequest seen = model.recorded().get(0);
      assertThat(seen.path()).isEqualTo("/v1/chat/completions");
      assertThat(seen.header("authorization")).isEqualTo("Bearer " + key);
    }
  }

  @Test
  void theExampleAsksAnAzureProviderWithItsApiKeyHeader() {
    try (MockModelServer model = new MockModelServer().start()) {
      String key = "az-example-" + System.nanoTime();
      ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
          .baseUrl(model.url("/openai/v1").toString()).set("apiKey", key).build();

      assertThat(ChatExample.ask(LlmAuthConfig.of(azure), "azure", "gpt-4o-mini", "Say hello."))
          .isEqualTo(MockModelServer.ANSWER);
      RecordedRequest seen = model.recorded().get(0);
      assertThat(seen.header("api-key")).isEqualTo(key);
      assertThat(seen.header("authorization")).isNull();
    }
  }
}
