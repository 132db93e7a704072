package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.cli.CliHarness.Lines;
import dev.llmauth.cli.CliHarness.Result;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginLogoutCommandTest {
  @TempDir Path home;
  final MockOAuthServer issuer = new MockOAuthServer().start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private Path authFile() {
    return home.resolve(".codex").resolve("auth.json");
  }

  private JsonObject tokens() throws IOException {
    return JsonParser.parseString(Files.readString(authFile())).getAsJsonObject().getAsJsonObject("tokens");
  }

  private void assertNoTokenIn(String output) throws IOException {
    JsonObject t = tokens();
    for (String field : new String[] {"id_token", "access_token", "refresh_token"}) {
      assertThat(output).doesNotContain(t.get(field).getAsString());
    }
  }

  @Test
  void deviceSignInStoresTheTokensWhereCodexKeepsThem() throws IOException {
    issuer.devicePendingPolls(0);

    Result r = run(isolatedEnv(home), "login", "codex", "--device", "--issuer", issuer.issuer().toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("On any device, open " + issuer.issuer() + "/codex/device")
        .containsPattern("and enter the code: \\S+ +\\(valid for 15 minutes\\)")
        .contains("Signed in as user@example.test; tokens stored at " + authFile());
    assertThat(tokens().get("account_id").getAsString()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    assertThat(issuer.recorded(q -> q.path().equals("/api/accounts/deviceauth/usercode"))).hasSize(1);
    assertNoTokenIn(r.all());
  }

  @Test
  void browserSignInPrintsTheUrlAndFinishesWhenTheBrowserFollowsIt() throws Exception {
    Lines out = new Lines();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Cli.run(
        new String[] {"login", "codex", "--issuer", issuer.issuer().toString(), "--callback-port", "0"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        isolatedEnv(home)));

    URI url = URI.create(out.await(issuer.issuer() + "/oauth/authorize?"));
    HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    HttpResponse<String> page = browser.send(HttpRequest.newBuilder(url).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(exit.get(1, TimeUnit.MINUTES)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(MockOAuthServer.formParameters(url.getRawQuery()).get("redirect_uri"))
        .matches("http://localhost:\\d+/auth/callback");
    assertThat(out.text()).contains("Open this page in your browser to sign in:")
        .contains("Signed in as user@example.test; tokens stored at " + authFile());
    assertThat(issuer.recorded(q -> q.path().equals("/oauth/token"))).hasSize(1);
    assertNoTokenIn(out.text() + err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aRefusedSignInExitsWith3() throws Exception {
    issuer.authorizeError("access_denied");
    Lines out = new Lines();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Cli.run(
        new String[] {"login", "codex", "--issuer", issuer.issuer().toString(), "--callback-port", "0"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        isolatedEnv(home)));

    URI url = URI.create(out.await(issuer.issuer() + "/oauth/authorize?"));
    HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
        .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.discarding());

    assertThat(exit.get(1, TimeUnit.MINUTES)).isEqualTo(ExitCodes.NO_CREDENTIAL);
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message).startsWith("llm-auth: sign_in_failed: ").contains("access_denied").doesNotContain("\tat ");
    assertThat(authFile()).doesNotExist();
  }

  @Test
  void logoutRemovesTheSignInAndSaysWhenThereWasNone() throws IOException {
    issuer.devicePendingPolls(0);
    assertThat(run(isolatedEnv(home), "login", "codex", "--device", "--issuer", issuer.issuer().toString()).exit())
        .isZero();
    assertThat(authFile()).exists();

    Result first = run(isolatedEnv(home), "logout", "codex");
    Result second = run(isolatedEnv(home), "logout", "codex");

    assertThat(first.exit()).isZero();
    assertThat(first.out()).isEqualTo("Signed out; tokens removed from " + authFile() + System.lineSeparator());
    assertThat(authFile()).doesNotExist();
    assertThat(second.exit()).isZero();
    assertThat(second.out()).isEqualTo("No sign-in was stored at " + authFile() + System.lineSeparator());
  }

  @Test
  void anAuthFileOptionOverridesCodexHome() {
    issuer.devicePendingPolls(0);
    Path elsewhere = home.resolve("elsewhere.json");

    Result r = run(isolatedEnv(home), "login", "codex", "--device", "--issuer", issuer.issuer().toString(),
        "--auth-file", elsewhere.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(elsewhere).exists();
    assertThat(authFile()).doesNotExist();
    assertThat(run(isolatedEnv(home), "logout", "codex", "--auth-file", elsewhere.toString()).out())
        .startsWith("Signed out");
  }

  @Test
  void aNonLoopbackHttpIssuerIsRefused() {
    Result r = run(Map.of("HOME", home.toString()), "login", "codex", "--device", "--issuer",
        "http://issuer.example.test").assertShortError(ExitCodes.USAGE);

    assertThat(r.err()).contains("codexOAuth.issuer");
    assertThat(issuer.recorded()).isEmpty();
  }
}
