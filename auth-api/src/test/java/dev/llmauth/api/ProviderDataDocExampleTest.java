package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential.TokenUse;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Llama Stack / OGX example of docs/configuration.md parses and writes the header it shows. */
class ProviderDataDocExampleTest {
  @Test
  void theDocumentedExampleWritesTheDocumentedHeader() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    String section = doc.substring(doc.indexOf("## Llama Stack / OGX provider data"));
    String jsonc = block(section, "```jsonc\n");
    String afterExample = section.substring(section.indexOf(jsonc) + jsonc.length() + "```".length());
    String expected = block(afterExample, "```\n").strip();

    ProviderConfig config = LlmAuthConfig.parse(jsonc, "docs/configuration.md", Map.of()).provider("llama-stack");
    Authorization a = RequestAuthenticator.of(config, new FixedCredential("<token>", TokenUse.BEARER, true))
        .authorize(OutgoingRequest.of("POST", URI.create("http://127.0.0.1:8321/v1/chat/completions"), Map.of()));
    Map<String, String> sent = new LinkedHashMap<>();
    a.forEachHeader(sent::put);

    assertThat(sent).hasSize(1);
    Map.Entry<String, String> header = sent.entrySet().iterator().next();
    assertThat(header.getKey() + ": " + header.getValue()).isEqualTo(expected);
    assertThat(a.headersToRemove()).contains("authorization", "api-key", "x-api-key");
  }

  private static String block(String text, String fence) {
    int start = text.indexOf(fence) + fence.length();
    return text.substring(start, text.indexOf("```", start));
  }
}
