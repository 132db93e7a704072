package dev.llmauth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.ConfigNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The api-key method's settings")
class ApiKeySettingsTest {
  private static final String KEY = "sk-settings-test-0123456789";
  private static final ApiKeyMethod METHOD = new ApiKeyMethod();

  private static ApiKeySettings parse(Map<String, ?> provider) {
    return METHOD.parseConfig(ConfigNode.of("p", provider, "test"));
  }

  @Test
  @DisplayName("the method owns apiKey and bearerToken, both secret, and takes apiKey from OPENAI_API_KEY")
  void owned() {
    assertThat(METHOD.configKeys()).containsExactlyInAnyOrder("apiKey", "bearerToken");
    assertThat(METHOD.secretFields()).containsExactlyInAnyOrder("apiKey", "bearerToken");
    assertThat(METHOD.environmentFallback()).containsExactly(Map.entry("apiKey", "OPENAI_API_KEY"));
  }

  @Test
  @DisplayName("parses both fields; neither, or empty strings, parse to nothing")
  void parses() {
    assertThat(parse(Map.of("apiKey", KEY, "bearerToken", "tok"))).isEqualTo(new ApiKeySettings(Secret.of(KEY),
        Secret.of("tok")));
    assertThat(parse(Map.of("bearerToken", "tok"))).isEqualTo(new ApiKeySettings(null, Secret.of("tok")));
    assertThat(parse(Map.of("apiKey", "", "baseUrl", "https://h"))).isNull();
    assertThatThrownBy(() -> new ApiKeySettings(null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("an apiKey with a character a header cannot carry is an error naming the field and the fix, never the "
      + "value")
  void invisibleCharacterInApiKey() {
    assertThatThrownBy(() -> parse(Map.of("apiKey", KEY + "\u200b"))).isInstanceOf(ConfigException.class)
        .hasMessage("provider 'p', providers.p.apiKey: the value has a character that cannot be sent in an HTTP "
            + "header (U+200B at position 28 of 28); it must be visible ASCII, without spaces; copy the key again, "
            + "without spaces, line breaks or invisible characters around or inside it")
        .extracting(e -> ((ConfigException) e).field()).isEqualTo("providers.p.apiKey");
  }

  @Test
  @DisplayName("so is a bearerToken with a line break")
  void lineBreakInBearerToken() {
    assertThatThrownBy(() -> parse(Map.of("bearerToken", "tok\nX-Injected: 1"))).isInstanceOf(ConfigException.class)
        .hasMessage("provider 'p', providers.p.bearerToken: the value has a character that cannot be sent in an HTTP "
            + "header (U+000A at position 4 of 17); it must be visible ASCII, without spaces; copy the token again, "
            + "without spaces, line breaks or invisible characters around or inside it");
  }

  @Test
  @DisplayName("a value that is not a string is an error naming the field")
  void wrongType() {
    assertThatThrownBy(() -> parse(Map.of("apiKey", 42))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers.p.apiKey: expected a string but found a number");
  }

  @Test
  @DisplayName("no value shows in the settings, ProviderConfig.toString() or origins, set in code or in a file")
  void redacted() {
    ApiKeySettings settings = new ApiKeySettings(Secret.of(KEY), Secret.of(KEY + "-bearer"));
    assertThat(settings.toString()).isEqualTo("ApiKeySettings[apiKey=[redacted], bearerToken=[redacted]]");
    ProviderConfig inCode = ProviderConfig.builder("p").set("apiKey", KEY).set("bearerToken", KEY + "-bearer")
        .build();
    assertThat(inCode.toString()).contains("apiKey=[redacted]", "bearerToken=[redacted]").doesNotContain(KEY);
    assertThat(inCode.originOf("apiKey")).isEqualTo("code");
    ProviderConfig inFile = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"apiKey\": \"${env:K}\"}}}", "test",
        Map.of("K", KEY)).provider("p");
    assertThat(inFile.toString()).contains("apiKey=[redacted]").doesNotContain(KEY);
    assertThat(inFile.originOf("apiKey")).isEqualTo("env K via test");
  }

  @Test
  @DisplayName("without a file, OPENAI_API_KEY is the apiKey, and an error about it names the variable")
  void environmentFallback() {
    ProviderConfig p = LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_KEY", KEY)).provider("openai");
    assertThat(p.methodConfig(METHOD, ApiKeySettings.class)).isEqualTo(new ApiKeySettings(Secret.of(KEY), null));
    assertThat(p.originOf("apiKey")).isEqualTo("env OPENAI_API_KEY");
    assertThat(p.toString()).contains("apiKey=[redacted]").doesNotContain(KEY);
    assertThatThrownBy(() -> LlmAuthConfig.fromEnvironment(Map.of("OPENAI_API_KEY", KEY + " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("environment (OPENAI_API_KEY): provider 'openai', providers.openai.apiKey: the value "
            + "has a character that cannot be sent in an HTTP header (U+0020 at position 28 of 28)")
        .hasMessageNotContaining(KEY)
        .extracting(e -> ((ConfigException) e).field()).isEqualTo("OPENAI_API_KEY");
  }

  @Test
  @DisplayName("a provider validated without this method leaves the fields unclaimed and unchecked, and shows no value")
  void withoutTheMethod() {
    ProviderConfig p = ProviderConfig.builder("p").methods(List.of()).set("apiKey", KEY + " ").build();
    assertThat(p.unclaimedFields()).containsExactly("apiKey");
    assertThat(p.toString()).contains("extensions=[apiKey]").doesNotContain(KEY);
    assertThatThrownBy(() -> p.methodConfig(METHOD, ApiKeySettings.class)).as("checked when the method first asks")
        .isInstanceOf(ConfigException.class).hasMessageContaining("providers.p.apiKey").hasMessageNotContaining(KEY);
  }
}
