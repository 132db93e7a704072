package dev.llmauth.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.conformance.mock.MockModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/langchain4j.md, as written there but for the base URL, against the mock model server. */
class DocumentationExamplesTest {
  @Test
  void theExampleOfTheDocsRuns(@TempDir Path dir) throws IOException {
    try (MockModelServer server = new MockModelServer().start()) {
      String baseUrl = server.url("/openai/v1").toString();
      Path config = Files.writeString(dir.resolve("llm-auth.jsonc"), """
          {"providers": {"azure": {"type": "azure-openai", "baseUrl": "%s", "apiKey": "az-docs-key"}}}
          """.formatted(baseUrl));
      String answer;
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(config))) {
        ChatModel model = OpenAiChatModel.builder()
            .httpClientBuilder(LlmAuthHttpClientBuilder.of(auth.authenticator("azure")))
            .baseUrl(baseUrl).modelName("gpt-4o-mini").build();
        answer = model.chat("Say hello.");
      }
      assertThat(answer).isEqualTo(MockModelServer.ANSWER);
      assertThat(server.recorded()).singleElement().satisfies(r -> {
        assertThat(r.path()).isEqualTo("/openai/v1/chat/completions");
        assertThat(r.header("api-key")).isEqualTo("az-docs-key");
      });
    }
  }
}
