package dev.llmauth.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The environment fallback takes a method's fields from the variables the method names")
class EnvironmentFallbackMethodsTest {
  private static final String TOKEN = "tok-from-env-1234";

  /** A method whose {@code token} comes from {@code TEST_TOKEN} and must not contain {@code !}. */
  private static final class EnvMethod implements CredentialMethod {
    @Override
    public String method() {
      return "env-test";
    }

    @Override
    public int priority() {
      return 100;
    }

    @Override
    public Set<String> configKeys() {
      return Set.of("token");
    }

    @Override
    public Set<String> secretFields() {
      return Set.of("token");
    }

    @Override
    public Map<String, String> environmentFallback() {
      return Map.of("token", "TEST_TOKEN", "notMine", "TEST_NOT_MINE");
    }

    @Override
    public @Nullable Object parseConfig(ConfigNode provider) {
      String token = provider.get("token").text();
      if (token != null && token.contains("!")) {
        throw provider.get("token").error("the token has a '!'", "copy it again");
      }
      return token;
    }

    @Override
    public Availability availability(ProviderConfig config, ResolutionContext context) {
      return Availability.unavailable("not used");
    }

    @Override
    public Credential create(ProviderConfig config, ResolutionContext context) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  @DisplayName("a method's variable sets its field, with the variable as origin, redacted like a file's value")
  void methodVariable() {
    ProviderConfig p = ConfigParser.fromEnvironment(Map.of("TEST_TOKEN", TOKEN, "TEST_NOT_MINE", "x"),
        List.of(new EnvMethod())).provider("openai");
    assertThat(p.settings().get("token").text()).isEqualTo(TOKEN);
    assertThat(p.methodConfig(new EnvMethod(), String.class)).isEqualTo(TOKEN);
    assertThat(p.origins()).containsOnly(Map.entry("token", "env TEST_TOKEN"));
    assertThat(p.settings().keys()).as("only fields of the method's configKeys() are taken").containsOnly("token");
    assertThat(p.toString()).contains("token=[redacted]").doesNotContain(TOKEN);
  }

  @Test
  @DisplayName("the core itself reads no method's variable: without methods, OPENAI_API_KEY sets nothing")
  void coreReadsNoMethodVariable() {
    ProviderConfig p = ConfigParser.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-env", "OPENAI_BASE_URL",
        "https://api.example.test/v1"), List.of()).provider("openai");
    assertThat(p.settings().keys()).containsOnly("baseUrl");
    assertThat(p.origins()).containsOnly(Map.entry("baseUrl", "env OPENAI_BASE_URL"));
    assertThat(p.toString()).doesNotContain("sk-env");
  }

  @Test
  @DisplayName("an error about a field taken from a variable names the variable, never the value")
  void errorNamesTheVariable() {
    assertThatThrownBy(() -> ConfigParser.fromEnvironment(Map.of("TEST_TOKEN", "bad!" + TOKEN),
        List.of(new EnvMethod()))).isInstanceOf(ConfigException.class)
        .hasMessage("environment (TEST_TOKEN): provider 'openai', providers.openai.token: the token has a '!'; copy "
            + "it again")
        .extracting(e -> ((ConfigException) e).field()).isEqualTo("TEST_TOKEN");
  }
}
