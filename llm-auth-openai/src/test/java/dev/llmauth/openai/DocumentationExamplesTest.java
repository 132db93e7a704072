package dev.llmauth.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientImpl;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.conformance.mock.MockModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of docs/openai-java.md and README.md, as written there, against the mock model server. */
class DocumentationExamplesTest {
  @Test
  void theExamplesOfTheDocsRun(@TempDir Path dir) throws IOException {
    try (MockModelServer model = new MockModelServer().start()) {
      Path config = Files.writeString(dir.resolve("llm-auth.jsonc"), """
          {
            "providers": {
              // an Azure OpenAI key, sent as api-key
              "azure": { "type": "azure-openai", "baseUrl": "%s", "apiKey": "az-docs-key" },
            }
          }
          """.formatted(model.url("/openai/v1")));
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(config))) {
        OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("azure"));
        ChatCompletion answer = client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini").addUserMessage("Say hello.").build());
        assertThat(answer.choices().get(0).message().content()).hasValue(MockModelServer.ANSWER);
        client.close();

        OpenAIClient tuned = new OpenAIClientImpl(LlmAuthOpenAI.clientOptions(auth.authenticator("azure"))
            .maxRetries(4).azureServiceVersion(AzureOpenAIServiceVersion.fromString("2024-10-21")).build());
        tuned.chat().completions().create(ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini").addUserMessage("Say hello.").build());
        tuned.close();
      }
      assertThat(model.recorded()).hasSize(2).allSatisfy(r -> assertThat(r.header("api-key")).isEqualTo("az-docs-key"));
      // The SDK adds api-version only for Azure host names (AzureUrlCategory), not for this loopback base URL.
    }
  }
}
