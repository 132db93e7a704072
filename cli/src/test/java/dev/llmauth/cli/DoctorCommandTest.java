package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static dev.llmauth.cli.CliHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.cli.CliHarness.Result;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandTest {
  @TempDir Path home;
  final String key = "sk-doctor-" + System.nanoTime();

  private Path config() {
    return write(home, "c.jsonc", """
        {"providers": {
          "openai": {"baseUrl": "https://api.example.test/v1", "apiKey": "%s"},
          "azure": {"type": "azure-openai", "baseUrl": "https://x.openai.azure.com/openai/v1",
                    "managedIdentity": {"clientId": "11111111-2222-3333-4444-555555555555"}}
        }}
        """.formatted(key));
  }

  @Test
  void everyMethodIsListedAsChosenOrSkippedWithTheOriginOfEachSetting() {
    Path config = config();

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("configuration: file " + config)
        .contains("installed methods: api-key (100), command (110), codex-oauth (200), entra (300)")
        .contains("provider openai (type openai)")
        .contains("baseUrl: https://api.example.test/v1 (file " + config + ")")
        .contains("apiKey: set (file " + config + ")")
        .containsPattern("chosen +api-key +apiKey from file .* sent as Authorization: Bearer")
        .containsPattern("skipped +codex-oauth +no sign-in stored at " + home.resolve(".codex"))
        .contains("provider azure (type azure-openai)")
        .containsPattern("chosen +entra ")
        .containsPattern("skipped +api-key +no apiKey or bearerToken set");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void aCommandBlockIsChosenAndAProviderDataKeyIsShownWhereItGoes() {
    Path config = write(home, "more.jsonc", """
        {"providers": {
          "helper": {"baseUrl": "https://api.example.test/v1", "command": {"argv": ["/bin/true"]}},
          "gateway": {"baseUrl": "https://gw.example.test/v1", "apiKey": "%s",
                      "providerDataHeader": "X-LlamaStack-Provider-Data"}
        }}
        """.formatted(key));

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("provider helper (type openai)")
        .containsPattern("chosen +command +runs true \\(command from file ")
        .contains("provider gateway (type openai)")
        .containsPattern("chosen +api-key +apiKey from file .* sent in the X-LlamaStack-Provider-Data header as "
            + "azure_api_key \\(no Authorization\\)");
    assertThat(r.out().substring(r.out().indexOf("provider gateway"))).doesNotContain("sent as");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void urlsShowNoUserinfoQueryValueOrValueFromTheEnvironment() {
    Map<String, String> env = new HashMap<>(isolatedEnv(home));
    env.put("GATEWAY_HOST", "gw-" + key + ".example.test");
    Path config = write(home, "leaky.jsonc", """
        {"providers": {
          "userinfo": {"baseUrl": "https://user:%1$s@proxy.example.test/v1?key=%1$s&api-version=1", "apiKey": "k"},
          "fromEnv": {"baseUrl": "https://${env:GATEWAY_HOST}/v1", "apiKey": "k"}
        }}
        """.formatted(key));

    Result r = run(env, "doctor", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("baseUrl: https://***@proxy.example.test/v1?key=***&api-version=*** (file ")
        .contains("baseUrl: set (env GATEWAY_HOST via file " + config + ")");
    assertThat(r.all()).doesNotContain(key).doesNotContain("user:");
  }

  @Test
  void theProviderDataBaseIsExplained() {
    Path config = write(home, "gateway.jsonc", """
        {"providers": {
          "plain": {"baseUrl": "https://gw.example.test/v1", "apiKey": "k",
                    "providerDataHeader": "X-LlamaStack-Provider-Data"},
          "routed": {"baseUrl": "https://gw.example.test/v1", "apiKey": "k", "providerDataHeader": "X-OGX-Provider-Data",
                     "providerDataApiBase": "https://r.openai.azure.com/openai/v1"}
        }}
        """);

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("providerDataHeader: X-LlamaStack-Provider-Data (file " + config + "): the token goes in its JSON "
            + "object as azure_api_key")
        .contains("azure_api_base: https://gw.example.test/v1 (file " + config + "), the baseUrl, because "
            + "providerDataApiBase is not set; set it to the Azure OpenAI endpoint behind the gateway")
        .contains("azure_api_base: https://r.openai.azure.com/openai/v1 (file " + config + "), from "
            + "providerDataApiBase");
  }

  @Test
  void anthropicAndGeminiKeysAreShownWhereTheyGo() {
    Path config = write(home, "types.jsonc", """
        {"providers": {
          "claude": {"type": "anthropic", "apiKey": "%1$s"},
          "gemini": {"type": "gemini", "apiKey": "%1$s"}
        }}
        """.formatted(key));

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("provider claude (type anthropic)")
        .contains("baseUrl: https://api.anthropic.com/v1")
        .contains("anthropic-version: 2023-06-01 (type anthropic, added when the request has none)")
        .containsPattern("chosen +api-key +apiKey from file .* sent as x-api-key header")
        .contains("provider gemini (type gemini)")
        .contains("baseUrl: https://generativelanguage.googleapis.com/v1beta")
        .containsPattern("chosen +api-key +apiKey from file .* sent as x-goog-api-key header");
    assertThat(r.out().substring(r.out().indexOf("provider gemini"))).doesNotContain("anthropic-version");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void aProviderWithAMissingVariableIsListedWithItsErrorAndTheOthersStillWork() {
    Path config = write(home, "partial.jsonc", """
        {"providers": {
          "ok": {"baseUrl": "https://api.example.test/v1", "apiKey": "%s"},
          "broken": {"baseUrl": "https://api.example.test/v1", "apiKey": "${env:LLM_AUTH_TEST_MISSING_KEY}"}
        }}
        """.formatted(key));
    String error = "file " + config + ": provider 'broken', providers.broken.apiKey: refers to "
        + "${env:LLM_AUTH_TEST_MISSING_KEY}, but the environment variable LLM_AUTH_TEST_MISSING_KEY is not set or "
        + "empty; set LLM_AUTH_TEST_MISSING_KEY, or write the value in the file";

    Result doctor = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(doctor.exit()).as(doctor.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(doctor.out()).contains("provider ok (type openai)").containsPattern("chosen +api-key ")
        .contains("provider broken: cannot be used, its configuration is incomplete")
        .contains("  error: " + error);
    assertThat(doctor.err()).contains("provider broken cannot be used").doesNotContain("Exception");
    assertThat(doctor.all()).doesNotContain(key);

    Result ok = run(isolatedEnv(home), "token", "--provider", "ok", "--config", config.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("api-key");

    Result used = run(isolatedEnv(home), "token", "--provider", "broken", "--config", config.toString())
        .assertShortError(ExitCodes.USAGE);
    assertThat(used.err()).contains("configuration error: " + error);
    Result pinned = run(isolatedEnv(home), "doctor", "--provider", "broken", "--config", config.toString())
        .assertShortError(ExitCodes.USAGE);
    assertThat(pinned.err()).contains("configuration error: " + error);
  }

  @Test
  void oneProviderOnly() {
    Result r = run(isolatedEnv(home), "doctor", "--config", config().toString(), "--provider", "azure");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("provider azure").doesNotContain("provider openai");
  }

  @Test
  void theEnvironmentIsTheOriginWithoutAConfigFile() {
    Map<String, String> env = new HashMap<>(isolatedEnv(home));
    env.put("OPENAI_API_KEY", key);
    env.put("OPENAI_BASE_URL", "https://proxy.example.test/v1");

    Result r = run(env, "doctor");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("configuration: environment")
        .contains("baseUrl: set (env OPENAI_BASE_URL)").doesNotContain("proxy.example.test")
        .contains("apiKey: set (env OPENAI_API_KEY)")
        .containsPattern("chosen +api-key");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void nothingCanServeExitsWith3AndSaysHowToFixIt() {
    Result r = run(isolatedEnv(home), "doctor");

    assertThat(r.exit()).isEqualTo(ExitCodes.NO_CREDENTIAL);
    assertThat(r.out()).contains("configuration: environment")
        .containsPattern("skipped +api-key")
        .containsPattern("skipped +codex-oauth")
        .containsPattern("skipped +entra")
        .contains("fix: configure one of the methods above")
        .doesNotContain("chosen");
    assertThat(r.err()).isEqualTo("llm-auth: at least one provider has no usable credential method"
        + System.lineSeparator());
  }

  @Test
  void aPinnedMethodThatCannotServeExitsWith3() {
    Path config = write(home, "pinned.jsonc", """
        {"providers": {"openai": {"authMode": "codex-oauth", "apiKey": "%s"}}}
        """.formatted(key));

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.NO_CREDENTIAL);
    assertThat(r.out()).contains("authMode: codex-oauth").contains("fix: authMode pins codex-oauth");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void aDeprecatedAuthModeSpellingStillPinsItsMethodWithAWarning() {
    Path config = write(home, "deprecated.jsonc", """
        {"providers": {"openai": {"authMode": "api-key", "apiKey": "%s"}}}
        """.formatted(key));

    Result r = run(isolatedEnv(home), "doctor", "--config", config.toString());

    assertThat(r.exit()).isEqualTo(0);
    assertThat(r.out()).contains("authMode: api-key").contains("warning: authMode api-key is deprecated; write apiKey")
        .containsPattern("chosen +api-key");
    assertThat(r.all()).doesNotContain(key);
  }
}
