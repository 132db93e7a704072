package dev.llmauth.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Configuration under hostile or careless input")
class ConfigHardeningTest {
  private static final String ORIGIN = "file /x/llm-auth.jsonc";
  private static final String KEY = "sk-proj-NEVER-SHOWN-9f8e7d6c";

  private static ProviderConfig provider(String body, Map<String, String> env) {
    return LlmAuthConfig.parse("{\"providers\": {\"p\": " + body + "}}", ORIGIN, env).provider("p");
  }

  private static ConfigException rejected(String body, Map<String, String> env) {
    try {
      provider(body, env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + body);
  }

  @Nested
  @DisplayName("secrets and header values must be sendable in an HTTP header")
  class HeaderValues {
    @ParameterizedTest
    @ValueSource(strings = {"\u200b", "\u00e9", "\r\n", "\n", " ", "\t", "\u0000", "\u007f"})
    @DisplayName("an apiKey with a character no HTTP client sends is an error naming the field, never the value")
    void apiKey(String bad) {
      String key = KEY + bad + "tail";
      ConfigException e = rejected("{\"apiKey\": \"${env:K}\"}", Map.of("K", key));
      assertThat(e.field()).isEqualTo("providers.p.apiKey");
      assertThat(e.getMessage()).contains("providers.p.apiKey").contains("visible ASCII")
          .contains(String.format("U+%04X at position %d", (int) bad.charAt(0), KEY.length() + 1))
          .doesNotContain(KEY).doesNotContain("tail");
    }

    @Test
    @DisplayName("a bearerToken with a line break is an error naming the field, never the value")
    void bearerToken() {
      ConfigException e = rejected("{\"bearerToken\": \"" + KEY + "\\r\\nX-Injected: 1\"}", Map.of());
      assertThat(e.field()).isEqualTo("providers.p.bearerToken");
      assertThat(e.getMessage()).contains("U+000D").doesNotContain(KEY).doesNotContain("Injected");
    }

    @Test
    @DisplayName("the same rule holds for a provider built in code")
    void builder() {
      assertThatThrownBy(() -> ProviderConfig.builder("p").set("apiKey", KEY + "\u200b").build())
          .isInstanceOf(ConfigException.class).hasMessageContaining("providers.p.apiKey")
          .hasMessageNotContaining(KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u200b", "\u00e9", "\u0001", "\u007f"})
    @DisplayName("a static header value (the provider-data one included) must be visible ASCII, spaces and tabs")
    void staticHeaders(String bad) {
      String value = "{\"azure_api_version\": \"" + KEY + bad + "\"}";
      ConfigException e = rejected("{\"providerDataHeader\": \"X-LlamaStack-Provider-Data\", \"headers\": "
          + "{\"X-LlamaStack-Provider-Data\": \"${env:V}\"}}", Map.of("V", value));
      assertThat(e.field()).isEqualTo("providers.p.headers.X-LlamaStack-Provider-Data");
      assertThat(e.getMessage()).contains(String.format("U+%04X", (int) bad.charAt(0))).doesNotContain(KEY);
      assertThat(provider("{\"headers\": {\"X-Ok\": \"a b\\tc ~!\"}}", Map.of()).headers())
          .containsEntry("X-Ok", "a b\tc ~!");
    }

    @Test
    @DisplayName("a printable ASCII key is accepted unchanged")
    void printable() {
      String key = "sk-" + "!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~";
      assertThat(ApiKeys.apiKey(ProviderConfig.builder("p").set("apiKey", key).build()).reveal()).isEqualTo(key);
    }
  }

  @Nested
  @DisplayName("providerDataApiBase")
  class ProviderDataApiBase {
    @Test
    @DisplayName("is the base written as azure_api_base; without it the baseUrl is")
    void fallback() {
      ProviderConfig with = provider("{\"baseUrl\": \"https://gw.example.test/v1\", \"providerDataHeader\": "
          + "\"X-OGX-Provider-Data\", \"providerDataApiBase\": \"https://r.openai.azure.com/openai/v1\"}", Map.of());
      assertThat(with.providerDataBase()).isEqualTo("https://r.openai.azure.com/openai/v1");
      ProviderConfig without = provider("{\"baseUrl\": \"https://gw.example.test/v1\", \"providerDataHeader\": "
          + "\"X-OGX-Provider-Data\"}", Map.of());
      assertThat(without.providerDataApiBase()).isNull();
      assertThat(without.providerDataBase()).isEqualTo("https://gw.example.test/v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"r.openai.azure.com", "ftp://r.example.test", "https://", "https://r\u00e9.example/x",
        "https://r.example.test/a b"})
    @DisplayName("must be an absolute http(s) URL, like baseUrl")
    void validated(String url) {
      ConfigException e = rejected("{\"providerDataHeader\": \"X-D\", \"providerDataApiBase\": \"" + url + "\"}",
          Map.of());
      assertThat(e.field()).isEqualTo("providers.p.providerDataApiBase");
      assertThat(e.getMessage()).contains("providers.p.providerDataApiBase");
    }

    @Test
    @DisplayName("without providerDataHeader it would be unused, so it is an error")
    void needsTheHeader() {
      ConfigException e = rejected("{\"providerDataApiBase\": \"https://r.openai.azure.com\"}", Map.of());
      assertThat(e.getMessage()).contains("providerDataHeader").contains("remove providerDataApiBase");
    }
  }

  @Nested
  @DisplayName("toString() shows no URL userinfo, no query values and no value from the environment")
  class Redaction {
    @Test
    void userinfoAndQueryValuesAreRedacted() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://user:" + KEY + "@gw.example.test:8443/v1?key=" + KEY
          + "&api-version=2025-01-01#" + KEY + "\", \"providerDataHeader\": \"X-D\", \"providerDataApiBase\": "
          + "\"https://u:" + KEY + "@r.openai.azure.com/openai/v1?sig=" + KEY + "\"}", Map.of());
      assertThat(p.toString()).doesNotContain(KEY).doesNotContain("user")
          .contains("baseUrl=https://***@gw.example.test:8443/v1?key=***&api-version=***")
          .contains("providerDataApiBase=https://***@r.openai.azure.com/openai/v1?sig=***");
    }

    @Test
    void valuesFromTheEnvironmentShowOnlyTheVariable() {
      ProviderConfig p = provider("{\"baseUrl\": \"https://${env:HOST}/v1\"}", Map.of("HOST", "internal-" + KEY));
      assertThat(p.toString()).doesNotContain(KEY).contains("baseUrl=set (env HOST via " + ORIGIN + ")");
    }

    @Test
    void nestedSettingsFromTheEnvironmentShowOnlyTheVariable() {
      ProviderConfig p = provider("{\"type\": \"azure-openai\", \"baseUrl\": \"https://r.openai.azure.com\", "
          + "\"managedIdentity\": {\"clientId\": \"${env:CID}\"}, \"codexOAuth\": {\"issuer\": "
          + "\"https://u:" + KEY + "@issuer.example.test/?k=" + KEY + "\"}}", Map.of("CID", "cid-" + KEY));
      assertThat(p.toString()).doesNotContain(KEY).contains("managedIdentity=set (env CID via " + ORIGIN + ")")
          .contains("issuer=https://***@issuer.example.test/?k=***");
    }

    @Test
    void redactUrlKeepsWhatIsNotSecret() {
      assertThat(ProviderConfig.redactUrl("https://r.openai.azure.com/openai/v1"))
          .isEqualTo("https://r.openai.azure.com/openai/v1");
      assertThat(ProviderConfig.redactUrl("http://[::1]:8080/v1?flag")).isEqualTo("http://[::1]:8080/v1?***");
      assertThat(ProviderConfig.redactUrl("not a url " + KEY)).isEqualTo("(not a URL)");
    }
  }

  @Nested
  @DisplayName("the configuration file's size is capped")
  class FileSize {
    @TempDir Path dir;

    @Test
    void aFileOverOneMebibyteIsRefusedClearly() throws IOException {
      StringBuilder sb = new StringBuilder("{\"providers\": {}}\n");
      while (sb.length() <= (1 << 20)) {
        sb.append("// padding padding padding padding padding padding padding padding padding padding\n");
      }
      Path big = Files.writeString(dir.resolve("big.jsonc"), sb);
      assertThatThrownBy(() -> LlmAuthConfig.load(big, Map.of())).isInstanceOf(ConfigException.class)
          .hasMessageContaining(big.toAbsolutePath().toString()).hasMessageContaining("larger than 1 MiB");
    }

    @Test
    void aFileJustUnderTheCapIsRead() throws IOException {
      String head = "{\"providers\": {\"p\": {}}}\n";
      String pad = "x".repeat((1 << 20) - head.length() - 3);
      Path file = Files.write(dir.resolve("ok.jsonc"), (head + "//" + pad + "\n").getBytes(StandardCharsets.UTF_8));
      assertThat(Files.size(file)).isEqualTo(1 << 20);
      assertThat(LlmAuthConfig.load(file, Map.of()).providers()).containsOnlyKeys("p");
    }
  }
}
