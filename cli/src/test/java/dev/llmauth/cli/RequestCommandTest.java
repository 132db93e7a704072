package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static dev.llmauth.cli.CliHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import dev.llmauth.cli.CliHarness.Result;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestCommandTest {
  @TempDir Path home;
  final MockModelServer model = new MockModelServer().start();
  final String key = "sk-cli-" + System.nanoTime();

  @AfterEach
  void stop() {
    model.close();
  }

  private Path apiKeyConfig() {
    return write(home, "llm-auth.jsonc", """
        // API key provider on the mock model server
        {"providers": {"openai": {"baseUrl": "%s", "apiKey": "%s",}}}
        """.formatted(model.url("/v1"), key));
  }

  private Result request(String... extra) {
    String[] base = {"request", "--provider", "openai", "--config", apiKeyConfig().toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return run(isolatedEnv(home), args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void eachClientSendsOneAuthenticatedRequest(String client) {
    Result r = request("--client", client);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.outLines()).singleElement().asString()
        .startsWith("1 200 OK").contains("api-key via " + client);
    List<RecordedRequest> seen = model.recorded();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).path()).isEqualTo("/v1/chat/completions");
    assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer " + key);
    assertThat(seen.get(0).bodyText()).isEqualTo(RequestCommand.DEFAULT_DATA);
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void repeatSendsNRequestsAndPrintsALineForEach() {
    Result r = request("--repeat", "3", "--client", "okhttp");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.outLines()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(r.outLines().get(i)).startsWith((i + 1) + " 200 OK");
    }
    assertThat(model.recorded()).hasSize(3)
        .allSatisfy(q -> assertThat(q.header("authorization")).isEqualTo("Bearer " + key));
  }

  @Test
  void pathAndDataAreSentAsGiven() {
    Result r = request("--path", "responses", "--data", "{\"model\":\"m\",\"input\":\"hi\"}");

    assertThat(r.exit()).as(r.err()).isZero();
    RecordedRequest seen = model.recorded().get(0);
    assertThat(seen.path()).isEqualTo("/v1/responses");
    assertThat(seen.bodyText()).isEqualTo("{\"model\":\"m\",\"input\":\"hi\"}");
  }

  @Test
  void aCachedMethodFetchesOneTokenForRepeatedRequests() {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      Path authFile = write(home, "auth.json", new Gson().toJson(Map.of(
          "last_refresh", "2026-01-01T00:00:00Z",
          "tokens", Map.of("id_token", issuer.issueIdToken(),
              "access_token", issuer.issueAccessToken(Duration.ofMinutes(-5)),
              "refresh_token", issuer.issueRefreshToken()))));
      Path config = write(home, "codex.jsonc", """
          {"providers": {"codex": {"type": "codex", "baseUrl": "%s",
            "codexOAuth": {"authFile": "%s", "issuer": "%s"}}}}
          """.formatted(model.url("/backend-api/codex"), authFile, issuer.issuer()));

      Result r = run(isolatedEnv(home), "request", "--provider", "codex", "--config", config.toString(),
          "--repeat", "3", "--client", "apache");

      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.outLines()).hasSize(3).allSatisfy(line -> assertThat(line)
          .contains(" 200 OK").contains("codex-oauth via apache").endsWith("token fetches so far: 1)"));
      assertThat(issuer.refreshCount()).isEqualTo(1);
      assertThat(model.recorded()).hasSize(3).allSatisfy(q -> assertThat(q.header("chatgpt-account-id"))
          .isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID));
      String sent = model.recorded().get(0).header("authorization").substring("Bearer ".length());
      assertThat(r.all()).doesNotContain(sent);
    }
  }

  @Test
  void anUpstream401ExitsWith4AndShowsTheErrorCodeButNotTheKey() {
    model.rejectToken(key);

    Result r = request().assertShortError(ExitCodes.UPSTREAM);

    assertThat(r.out()).startsWith("1 401 ERROR");
    assertThat(r.err()).contains("answered 401").contains("(invalid_api_key)");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void anyNon2xxStopsTheRepeatWithExit4() {
    model.rejectAll(true);

    Result r = request("--repeat", "3").assertShortError(ExitCodes.UPSTREAM);

    assertThat(r.outLines()).hasSize(1);
    assertThat(model.recorded()).hasSize(1);
  }

  @Test
  void anUnknownEndpointIsAnUpstreamError() {
    Result r = request("--path", "/no/such/endpoint").assertShortError(ExitCodes.UPSTREAM);

    assertThat(r.err()).contains("answered 404").contains("(not_found)");
  }

  /** A provider whose baseUrl points at a loopback port nothing listens on. */
  private Path unreachableConfig() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    return write(home, "unreachable.jsonc", """
        {"providers": {"openai": {"baseUrl": "http://127.0.0.1:%d/v1", "apiKey": "%s"}}}
        """.formatted(closedPort, key));
  }

  @Test
  void anUnreachableBaseUrlIsAConfigurationError() throws IOException {
    Path config = unreachableConfig();

    Result r = run(isolatedEnv(home), "request", "--provider", "openai", "--config", config.toString())
        .assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("cannot reach http://127.0.0.1:").contains("check the provider's baseUrl");
    assertThat(r.all()).doesNotContain(key);
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    String config = unreachableConfig().toString();
    Result quiet = run(isolatedEnv(home), "request", "--provider", "openai", "--config", config);
    Result verbose = run(isolatedEnv(home), "request", "--provider", "openai", "--config", config, "--verbose");

    quiet.assertShortError(ExitCodes.USAGE);
    assertThat(verbose.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(verbose.err()).startsWith(quiet.err().lines().findFirst().orElseThrow())
        .contains("\tat dev.llmauth.cli.RequestCommand").contains("ConnectException");
    assertThat(verbose.all()).doesNotContain(key);
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertThat(request("--client", "curl").assertShortError(ExitCodes.USAGE).err())
        .contains("unknown --client 'curl'").contains("jdk, okhttp or apache");
    assertThat(request("--repeat", "0").assertShortError(ExitCodes.USAGE).err())
        .contains("--repeat must be at least 1, got 0");
    assertThat(request("--repeat", "many").assertShortError(ExitCodes.USAGE).err())
        .contains("'many' is not an int").contains("llm-auth request --help");
    assertThat(request("--data", "{not json").assertShortError(ExitCodes.USAGE).err())
        .contains("--data is not valid JSON");
    assertThat(model.recorded()).isEmpty();
  }
}
