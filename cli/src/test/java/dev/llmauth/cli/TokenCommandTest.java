package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static dev.llmauth.cli.CliHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.llmauth.cli.CliHarness.Result;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
  @TempDir Path home;

  @Test
  void aCredentialHelpersTokenIsDescribedButNeverPrinted() throws Exception {
    String token = "helper-token-" + System.nanoTime();
    Path script = write(home, "helper.sh", "#!/bin/sh\nprintf '%s'\n".formatted(token));
    java.nio.file.Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rwx------"));
    Path config = write(home, "c.jsonc", """
        {"providers": {"helper": {"baseUrl": "https://api.example.test/v1", "command": {"argv": ["%s"]}}}}
        """.formatted(script));

    Result r = run(isolatedEnv(home), "token", "--provider", "helper", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("provider: helper")
        .contains("method:   command")
        .contains("source:   runs helper.sh (command from file " + config
            + "), its output sent as Authorization: Bearer")
        .contains("headers:  Authorization")
        .containsPattern("token: +\\[redacted] sha256:[0-9a-f]{8} \\(" + token.length() + " chars\\)");
    assertThat(r.all()).doesNotContain(token);
  }

  @Test
  void anApiKeyIsDescribedButNeverPrinted() {
    String key = "sk-token-" + System.nanoTime();
    Path config = write(home, "c.jsonc", """
        {"providers": {"azure": {"type": "azure-openai", "baseUrl": "https://example.openai.azure.com/openai/v1",
          "apiKey": "%s"}}}
        """.formatted(key));

    Result r = run(isolatedEnv(home), "token", "--provider", "azure", "--config", config.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("provider: azure")
        .contains("method:   api-key")
        .contains("source:   apiKey from file " + config)
        .contains("expires:  never (static credential)")
        .contains("headers:  api-key")
        .containsPattern("token: +\\[redacted] sha256:[0-9a-f]{8} \\(" + key.length() + " chars\\)");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void anApiKeyFromTheEnvironmentIsNotPrintedEither() {
    String key = "sk-env-" + System.nanoTime();
    Map<String, String> env = new HashMap<>(isolatedEnv(home));
    env.put("OPENAI_API_KEY", key);

    Result r = run(env, "token", "--provider", "openai");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("method:   api-key").contains("OPENAI_API_KEY").contains("headers:  Authorization");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void anOAuthTokenShowsItsSourceAndExpiry() {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      String access = issuer.issueAccessToken(Duration.ofMinutes(90));
      String refresh = issuer.issueRefreshToken();
      Path authFile = write(home, "auth.json", new Gson().toJson(Map.of("last_refresh", "2026-01-01T00:00:00Z",
          "tokens", Map.of("id_token", issuer.issueIdToken(), "access_token", access, "refresh_token", refresh))));
      Path config = write(home, "c.jsonc", """
          {"providers": {"codex": {"type": "codex", "baseUrl": "https://codex.example.test/backend-api/codex",
            "codexOAuth": {"authFile": "%s", "issuer": "%s"}}}}
          """.formatted(authFile, issuer.issuer()));

      Result r = run(isolatedEnv(home), "token", "--provider", "codex", "--config", config.toString());

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("method:   codex-oauth")
          .contains(authFile.toString())
          .containsPattern("expires:  \\S+Z \\(in (89|90) min\\)")
          .contains("Authorization").contains("ChatGPT-Account-Id");
      assertThat(r.all()).doesNotContain(access).doesNotContain(refresh);
      assertThat(issuer.refreshCount()).isZero();
    }
  }

  @Test
  void nothingConfiguredExitsWith3AndNamesEveryMethod() {
    Result r = run(isolatedEnv(home), "token", "--provider", "openai").assertShortError(ExitCodes.NO_CREDENTIAL);

    assertThat(r.err()).contains("credential_not_found").contains("api-key:").contains("codex-oauth:")
        .contains("entra:");
  }
}
