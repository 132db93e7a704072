package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static dev.llmauth.cli.CliHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.cli.CliHarness.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input of every kind: the exit code and one short message, never a stack trace or a secret. */
class UsageErrorsTest {
  @TempDir Path home;
  final String key = "sk-usage-" + System.nanoTime();

  private Result withConfig(String command, String json) {
    Path config = write(home, "c.jsonc", json);
    return run(isolatedEnv(home), command, "--provider", "openai", "--config", config.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"request", "token"})
  void anUnknownProviderListsTheKnownOnes(String command) {
    Path config = write(home, "c.jsonc", """
        {"providers": {"openai": {"apiKey": "%s"}, "azure": {"apiKey": "%s"}}}""".formatted(key, key));

    Result r = run(isolatedEnv(home), command, "--provider", "nope", "--config", config.toString())
        .assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("no provider named 'nope'").contains("openai").contains("azure");
    assertThat(r.all()).doesNotContain(key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"request", "token", "doctor"})
  void malformedJsonIsAConfigurationError(String command) {
    Path config = write(home, "c.jsonc", "{\"providers\": {\"openai\": {\"apiKey\": \"" + key + "\",}");

    Result r = (command.equals("doctor") ? run(isolatedEnv(home), command, "--config", config.toString())
        : run(isolatedEnv(home), command, "--config", config.toString(), "--provider", "openai"))
        .assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).startsWith("llm-auth: configuration error: file " + config);
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void managedIdentityWithAnApiKeyNamesBothFields() {
    Result r = withConfig("request", """
        {"providers": {"openai": {"baseUrl": "https://x.example.test", "apiKey": "%s", "managedIdentity": {}}}}
        """.formatted(key)).assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("providers.openai.managedIdentity").contains("providers.openai.apiKey");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void aMissingEnvironmentVariableIsNamed() {
    Result r = withConfig("token", """
        {"providers": {"openai": {"apiKey": "${env:LLM_AUTH_TEST_MISSING}"}}}
        """).assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("LLM_AUTH_TEST_MISSING").contains("providers.openai.apiKey");
  }

  @Test
  void anUnknownTypeListsTheAllowedValues() {
    Result r = withConfig("token", """
        {"providers": {"openai": {"type": "mistral", "apiKey": "%s"}}}
        """.formatted(key)).assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("mistral").contains("openai, azure-openai, codex, anthropic, gemini");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void aMissingConfigFileIsNamed() {
    Path missing = home.resolve("missing.jsonc");

    Result r = run(isolatedEnv(home), "token", "--provider", "openai", "--config", missing.toString())
        .assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains(missing.toString()).contains("does not exist");
  }

  @ParameterizedTest
  @ValueSource(strings = {"request", "token"})
  void nothingConfiguredExitsWith3(String command) {
    Result r = run(isolatedEnv(home), command, "--provider", "openai").assertShortError(ExitCodes.NO_CREDENTIAL);

    assertThat(r.err()).contains("credential_not_found").contains("no credential for provider 'openai'");
  }

  @Test
  void anUnknownCommand() {
    Result r = run(isolatedEnv(home), "frobnicate").assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("'frobnicate'").contains("llm-auth --help");
  }

  @Test
  void anUnknownOption() {
    Result r = run(isolatedEnv(home), "token", "--provider", "openai", "--colour").assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("Unknown option: '--colour'").contains("llm-auth token --help");
  }

  @Test
  void aMissingRequiredOption() {
    Result r = run(isolatedEnv(home), "request").assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("--provider");
  }

  @Test
  void noCommandAtAll() {
    Result r = run(isolatedEnv(home)).assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("missing command");
  }

  @Test
  void anUnknownServiceForLoginAndLogout() {
    assertThat(run(isolatedEnv(home), "login", "gemini").assertShortError(ExitCodes.USAGE).err())
        .contains("unknown service 'gemini'; only 'codex' is supported");
    assertThat(run(isolatedEnv(home), "logout", "gemini").assertShortError(ExitCodes.USAGE).err())
        .contains("unknown service 'gemini'");
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    Result r = run(isolatedEnv(home), "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("demo", "request", "token", "doctor", "login", "logout", "mock")
        .contains("Exit codes:").contains("4   the upstream answered with a non-2xx status");
  }

  @ParameterizedTest
  @ValueSource(strings = {"demo", "request", "token", "doctor", "login", "logout", "mock"})
  void everyCommandHasHelp(String command) {
    Result r = run(isolatedEnv(home), command, "--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("Usage: llm-auth " + command).contains("--verbose");
  }
}
