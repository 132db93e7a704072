package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.CredentialNotFoundException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.apikey.ApiKeyMethod;
import dev.llmauth.conformance.mock.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodexOAuthMethodTest {
  @TempDir Path home;
  CodexFixture f;
  final CodexOAuthMethod provider = new CodexOAuthMethod();

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void identity() {
    assertThat(provider.method()).isEqualTo("codex-oauth");
    assertThat(provider.authMode()).isEqualTo("codex-oauth");
    assertThat(provider.priority()).isEqualTo(200);
    assertThat(ServiceLoader.load(CredentialMethod.class).stream().map(ServiceLoader.Provider::type))
        .contains(CodexOAuthMethod.class);
  }

  @Test
  void availableWhenASignInIsStoredNamingTheFileButNoToken() {
    String refresh = f.writeSignIn(Duration.ofHours(1), Map.of());
    Availability a = provider.availability(f.config(), f.context());
    assertThat(a.available()).isTrue();
    assertThat(a.detail()).isEqualTo("sign-in stored at " + f.authFile).doesNotContain(refresh);
  }

  @Test
  void unavailableWithoutAFileSayingHowToSignIn() {
    Availability a = provider.availability(f.config(), f.context());
    assertThat(a.available()).isFalse();
    assertThat(a.detail()).isEqualTo("no sign-in stored at " + f.authFile
        + "; sign in (`codex login`, or `llm-auth login codex`)");
  }

  @Test
  void unavailableWhenTheFileHoldsOnlyAnApiKey() {
    f.write("{\"OPENAI_API_KEY\":\"sk-secret-value\"}");
    Availability a = provider.availability(f.config(), f.context());
    assertThat(a.available()).isFalse();
    assertThat(a.detail()).contains("holds no ChatGPT sign-in").doesNotContain("sk-secret-value");
  }

  @Test
  void anInsecureIssuerIsRefused() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    ProviderConfig config = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .set("codexOAuth", new CodexOAuthSettings(null, "http://issuer.example.com", null).toBlock()).build();
    Availability a = provider.availability(config, f.context());
    assertThat(a.available()).isFalse();
    assertThat(a.detail()).contains("codexOAuth.issuer").contains("https");
  }

  private LlmAuth llmAuth(ProviderConfig config) {
    return LlmAuth.builder().config(LlmAuthConfig.of(config)).environment(f.env()).tokenCache(f.cache)
        .credentialMethods(List.of(new ApiKeyMethod(), provider)).build();
  }

  @Test
  void anApiKeyGoesFirstThenTheStoredSignIn() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    ProviderConfig withKey = ProviderConfig.builder("codex").type(ProviderType.CODEX).set("apiKey", "sk-1")
        .set("codexOAuth", new CodexOAuthSettings(null, f.issuer.issuer().toString(), null).toBlock()).build();
    try (LlmAuth auth = llmAuth(withKey)) {
      assertThat(auth.authenticator("codex").method()).isEqualTo("api-key");
    }
    try (LlmAuth auth = llmAuth(f.config())) {
      assertThat(auth.authenticator("codex").method()).isEqualTo("codex-oauth");
      assertThat(auth.authenticator("codex").baseUrl()).isNotNull();
    }
  }

  @Test
  void aCodexProviderWithoutSignInFallsBackToAnApiKey() {
    ProviderConfig withKey = ProviderConfig.builder("codex").type(ProviderType.CODEX).set("apiKey", "sk-1")
        .build();
    try (LlmAuth auth = llmAuth(withKey)) {
      assertThat(auth.authenticator("codex").method()).isEqualTo("api-key");
    }
  }

  @Test
  void pinnedWithoutSignInTheErrorNamesTheFileAndTheCommand() {
    ProviderConfig pinned = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .authMode("codex-oauth").build();
    try (LlmAuth auth = llmAuth(pinned)) {
      assertThatThrownBy(() -> auth.authenticator("codex"))
          .isInstanceOf(CredentialNotFoundException.class)
          .hasMessageContaining("no sign-in stored at " + f.authFile)
          .hasMessageContaining("(`codex login`, or `llm-auth login codex`)")
          .message().doesNotContain("bin/llm-auth");
    }
  }

  private CodexOAuthSettings parse(String block) {
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {\"codex\": {\"type\": \"codex\", \"codexOAuth\": "
        + block + "}}}", "test.json", Map.of("CALL", "2s"), List.of(provider));
    return config.provider("codex").methodConfig(provider, CodexOAuthSettings.class);
  }

  @Test
  void theIssuerTimeoutsAreSettingsWithDefaults() {
    assertThat(parse("{}").timeouts()).isEqualTo(new IssuerTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30)))
        .isEqualTo(CodexOAuthSettings.DEFAULT_TIMEOUTS);
    assertThat(parse("{}").toBlock()).isEmpty();

    CodexOAuthSettings set = parse("{\"connectTimeout\": \"1500ms\", \"timeout\": \"${env:CALL}\"}");
    assertThat(set.timeouts()).isEqualTo(new IssuerTimeouts(Duration.ofMillis(1500), Duration.ofSeconds(2)));
    assertThat(parse("{\"connectTimeout\": 2.5, \"timeout\": \"1m\"}").timeouts())
        .isEqualTo(new IssuerTimeouts(Duration.ofMillis(2500), Duration.ofMinutes(1)));
    assertThat(parse("{\"timeout\": \"5s\"}").timeouts())
        .isEqualTo(new IssuerTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5)));
    assertThat(set.toBlock()).containsEntry("connectTimeout", "1500ms").containsEntry("timeout", "2s");
    assertThat(parse(new com.google.gson.Gson().toJson(set.toBlock()))).isEqualTo(set);
    assertThat(set.toString()).contains("connectTimeout=1500ms").contains("timeout=2s");
  }

  @Test
  void aBadTimeoutIsAConfigurationErrorNamingTheFieldAndTheFix() {
    assertThatThrownBy(() -> parse("{\"timeout\": \"ten seconds\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("test.json: provider 'codex', providers.codex.codexOAuth.timeout: \"ten seconds\" is not a "
            + "duration; write a whole number with a unit, such as \"500ms\", \"10s\", \"5m\" or \"1h\", or a number "
            + "of seconds");
    assertThatThrownBy(() -> parse("{\"connectTimeout\": 0}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers.codex.codexOAuth.connectTimeout: must be more than 0 and at most one day");
    assertThatThrownBy(() -> parse("{\"connectTimeout\": \"25h\"}"))
        .hasMessageContaining("providers.codex.codexOAuth.connectTimeout: must be more than 0 and at most one day");
    assertThatThrownBy(() -> parse("{\"timeout\": true}"))
        .hasMessageContaining("providers.codex.codexOAuth.timeout: expected a duration but found");
    assertThatThrownBy(() -> parse("{\"callTimeout\": \"1s\"}"))
        .hasMessageContaining("providers.codex.codexOAuth.callTimeout: unknown field; use authFile, issuer, "
            + "originator, connectTimeout, timeout");
  }

  @Test
  void theMethodsClientTakesTheConfiguredTimeouts() {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    f.issuer.enqueue(Fault.stall(Duration.ofSeconds(10)));
    ProviderConfig config = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .set("codexOAuth", Map.of("issuer", f.issuer.issuer().toString(), "timeout", "1s")).build();
    RequestAuthenticator auth = RequestAuthenticator.of(config, provider.create(config, f.context()));
    assertThatThrownBy(() -> CodexFixture.authorize(auth))
        .isInstanceOf(TokenException.class)
        .hasMessageContaining("gave no complete answer within 1 s");
  }

  @Test
  void theDefaultBaseUrlOfTheCodexType() {
    assertThat(ProviderConfig.builder("c").type(ProviderType.CODEX).build().effectiveBaseUrl())
        .isEqualTo("https://chatgpt.com/backend-api/codex");
  }
}
