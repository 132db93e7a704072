package dev.llmauth.interop.codexcli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.codex.CodexSignIn;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.MockServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Codex CLI and llm-auth on one {@code auth.json}, against the kit's mock issuer (single-use refresh
 * tokens) and model server. What the CLI sends and when it refreshes: README.md of this module.
 */
class CodexCliInteropTest {
  private static final String CODEX_UA = "codex_exec/";

  CodexCli cli;
  MockOAuthServer issuer;
  MockModelServer model;
  EgressTrap trap;

  @BeforeEach
  void start() throws IOException {
    cli = CodexCli.require();
    issuer = new MockOAuthServer().start();
    model = new MockModelServer().start();
    trap = new EgressTrap();
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (trap != null) {
        assertThat(trap.attempts()).as("calls the Codex CLI tried to make beyond loopback").isEmpty();
      }
    } finally {
      if (trap != null) {
        trap.close();
      }
      if (model != null) {
        model.close();
      }
      if (issuer != null) {
        issuer.close();
      }
    }
  }

  @Test
  void aSignInWrittenByLlmAuthSatisfiesCodexLoginStatusAndCodexUsesIt() {
    CodexCli.Home home = cli.home("sign-in", issuer, model, trap);
    CodexCli.Run before = cli.run(home, () -> false, "login", "status");
    assertThat(before.exitCode()).as("codex login status without a sign-in: %s", before.output()).isNotZero();

    issuer.devicePendingPolls(0).deviceInterval(1);
    CodexSignIn.builder().config(new CodexOAuthSettings(home.authFile().toString(), issuer.issuer().toString(), null))
        .environment(Map.of()).build().signInWithDevice(code -> { });

    CodexCli.Run status = cli.run(home, () -> false, "login", "status");
    assertThat(status.exitCode()).as("codex login status: %s", status.output()).isZero();
    assertThat(status.output()).contains("Logged in using ChatGPT");

    CodexCli.Run exec = cli.exec(home, () -> !codexModelCalls().isEmpty());
    assertThat(exec.seen()).as("a model call by codex exec: %s", exec.output()).isTrue();
    RecordedRequest call = codexModelCalls().get(0);
    assertThat(call.header("authorization")).isEqualTo("Bearer " + stored(home).get("access_token"));
    assertThat(call.header("chatgpt-account-id")).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    assertThat(issuer.refreshCount()).as("refreshes").isZero();
  }

  @Test
  void aRefreshByLlmAuthIsUsedByCodexWithoutASecondRefresh() throws Exception {
    CodexCli.Home home = cli.home("llm-auth-refreshes", issuer, model, trap);
    writeSignIn(home, issuer.issueAccessToken(Duration.ofMinutes(-5)), issuer.issueRefreshToken());

    assertThat(llmAuthCall(home).statusCode()).isEqualTo(200);
    assertThat(issuer.refreshCount()).as("refreshes by llm-auth").isEqualTo(1);
    String refreshed = stored(home).get("access_token");
    assertThat(llmAuthModelCalls().get(0).header("authorization")).isEqualTo("Bearer " + refreshed);

    CodexCli.Run exec = cli.exec(home, () -> !codexModelCalls().isEmpty());
    assertThat(exec.seen()).as("a model call by codex exec: %s", exec.output()).isTrue();
    assertThat(codexModelCalls().get(0).header("authorization")).isEqualTo("Bearer " + refreshed);
    assertThat(issuer.refreshCount()).as("refreshes after codex exec").isEqualTo(1);
  }

  @Test
  void aRefreshByCodexIsUsedByLlmAuthWithoutASecondRefresh() throws Exception {
    CodexCli.Home home = cli.home("codex-refreshes", issuer, model, trap);
    String stale = issuer.issueAccessToken(Duration.ofMinutes(-5));
    String firstRefreshToken = issuer.issueRefreshToken();
    writeSignIn(home, stale, firstRefreshToken);

    CodexCli.Run exec = cli.exec(home, () -> !codexModelCalls().isEmpty());
    assertThat(exec.seen()).as("a model call by codex exec: %s", exec.output()).isTrue();
    assertThat(issuer.refreshCount()).as("refreshes by codex").isEqualTo(1);
    Map<String, String> afterCodex = stored(home);
    assertThat(afterCodex.get("access_token")).isNotEqualTo(stale);
    assertThat(afterCodex.get("refresh_token")).isNotEqualTo(firstRefreshToken);
    assertThat(codexModelCalls().get(0).header("authorization")).isEqualTo("Bearer " + afterCodex.get("access_token"));

    assertThat(llmAuthCall(home).statusCode()).isEqualTo(200);
    assertThat(llmAuthModelCalls().get(0).header("authorization"))
        .isEqualTo("Bearer " + afterCodex.get("access_token"));
    assertThat(issuer.refreshCount()).as("refreshes after llm-auth's call").isEqualTo(1);
  }

  @Test
  void bothRefreshingAtOnceLeaveAStoredRefreshTokenTheIssuerStillAccepts() throws Exception {
    CodexCli.Home home = cli.home("both-refresh", issuer, model, trap);
    String firstRefreshToken = issuer.issueRefreshToken();
    writeSignIn(home, issuer.issueAccessToken(Duration.ofMinutes(-5)), firstRefreshToken);
    issuer.holdTokens();

    AtomicBoolean released = new AtomicBoolean();
    CompletableFuture<CodexCli.Run> codex = CompletableFuture.supplyAsync(
        () -> cli.exec(home, () -> released.get() && !codexModelCalls().isEmpty()));
    CompletableFuture<Integer> llmAuth = CompletableFuture.supplyAsync(() -> {
      try {
        return llmAuthCall(home).statusCode();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    boolean bothSent = waitFor(() -> issuer.refreshCount() >= 2);
    released.set(true);
    issuer.releaseTokens();
    assertThat(bothSent).as("both tools sent a refresh while the issuer held its answers").isTrue();

    CodexCli.Run run = codex.get(CodexCli.RUN_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
    int llmAuthStatus = llmAuth.handle((status, error) -> status == null ? -1 : status)
        .get(2, TimeUnit.MINUTES);
    List<String> sent = refreshTokensSent();
    String storedAccess = stored(home).get("access_token");
    System.out.printf("concurrent refresh: llm-auth answered %d and sent the stored token: %b; codex sent the "
        + "stored token: %b%n", llmAuthStatus, llmAuthModelCalls().stream().anyMatch(
            r -> ("Bearer " + storedAccess).equals(r.header("authorization"))),
        codexModelCalls().stream().anyMatch(r -> ("Bearer " + storedAccess).equals(r.header("authorization"))));
    assertThat(sent.subList(0, 2)).as("both refreshed with the same single-use token").containsOnly(firstRefreshToken);

    String storedRefreshToken = stored(home).get("refresh_token");
    assertThat(storedRefreshToken).isNotEqualTo(firstRefreshToken);
    assertThat(issuer.acceptsRefreshToken(storedRefreshToken))
        .as("the issuer accepts the stored refresh token (llm-auth answered %s; codex: %s)", llmAuthStatus,
            run.output())
        .isTrue();
    int refreshes = issuer.refreshCount();
    int llmAuthCalls = llmAuthModelCalls().size();
    assertThat(llmAuthCall(home).statusCode()).as("a later llm-auth call").isEqualTo(200);
    assertThat(llmAuthModelCalls().get(llmAuthCalls).header("authorization")).isEqualTo("Bearer " + storedAccess);
    int codexCalls = codexModelCalls().size();
    CodexCli.Run later = cli.exec(home, () -> codexModelCalls().size() > codexCalls);
    assertThat(later.seen()).as("a later codex exec: %s", later.output()).isTrue();
    assertThat(codexModelCalls().get(codexCalls).header("authorization")).isEqualTo("Bearer " + storedAccess);
    assertThat(issuer.refreshCount()).as("refreshes by the later calls").isEqualTo(refreshes);
  }

  @Test
  void aCodexRewriteOfAuthJsonDuringLlmAuthReadsCausesNoFailure() throws Exception {
    CodexCli.Home home = cli.home("rewrite-during-read", issuer, model, trap);
    String first = issuer.issueAccessToken(Duration.ofHours(1));
    writeSignIn(home, first, issuer.issueRefreshToken());
    // A 401 to the current token makes Codex reload, refresh and rewrite auth.json, then call again.
    model.rejectToken(first);
    Object inodeBefore = Files.getAttribute(home.authFile(), "unix:ino");

    assertThat(llmAuthReadsToken(home)).as("llm-auth's read before Codex runs").isEqualTo(first);

    AtomicBoolean codexDone = new AtomicBoolean();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<String> failures = new ArrayList<>();
    AtomicInteger reads = new AtomicInteger();
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      while (!codexDone.get() || reads.get() == 0) {
        try {
          seen.add(llmAuthReadsToken(home));
        } catch (RuntimeException e) {
          synchronized (failures) {
            failures.add(e.toString());
          }
        }
        reads.incrementAndGet();
      }
    });
    CodexCli.Run exec;
    try {
      exec = cli.exec(home, () -> codexModelCalls().stream()
          .anyMatch(r -> !("Bearer " + first).equals(r.header("authorization"))));
    } finally {
      codexDone.set(true);
    }
    reader.get(2, TimeUnit.MINUTES);

    System.out.printf("rewrite during reads: %d llm-auth reads while codex ran, tokens seen %d%n", reads.get(),
        seen.size());
    assertThat(exec.seen()).as("codex called again with a refreshed token: %s", exec.output()).isTrue();
    assertThat(issuer.refreshCount()).as("refreshes by codex").isEqualTo(1);
    String second = stored(home).get("access_token");
    assertThat(failures).as("llm-auth reads that failed while Codex rewrote the file (of %s)", reads.get())
        .isEmpty();
    assertThat(reads.get()).as("llm-auth reads while Codex ran").isPositive();
    assertThat(seen).as("tokens llm-auth read while Codex rewrote the file").isSubsetOf(first, second);
    assertThat(llmAuthReadsToken(home)).isEqualTo(second);
    // Codex 0.171.0 replaces the file (a temporary file renamed over it) instead of rewriting it in place.
    assertThat(Files.getAttribute(home.authFile(), "unix:ino")).as("inode of auth.json after Codex's write")
        .isNotEqualTo(inodeBefore);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private List<RecordedRequest> codexModelCalls() {
    return model.recorded(r -> r.path().endsWith("/codex/responses") && "POST".equals(r.method())
        && r.header("user-agent") != null && r.header("user-agent").startsWith(CODEX_UA));
  }

  private List<RecordedRequest> llmAuthModelCalls() {
    return model.recorded(r -> r.path().endsWith("/codex/responses")
        && (r.header("user-agent") == null || !r.header("user-agent").startsWith(CODEX_UA)));
  }

  private List<String> refreshTokensSent() {
    List<String> out = new ArrayList<>();
    for (RecordedRequest r : issuer.recorded(r -> r.path().equals("/oauth/token"))) {
      JsonObject body = r.bodyText().startsWith("{") ? JsonParser.parseString(r.bodyText()).getAsJsonObject()
          : null;
      String token = body != null && body.has("refresh_token") ? body.get("refresh_token").getAsString()
          : MockServer.formParameters(r.bodyText()).get("refresh_token");
      if (token != null) {
        out.add(token);
      }
    }
    return out;
  }

  private LlmAuth llmAuth(CodexCli.Home home) {
    ProviderConfig codex = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .baseUrl(model.url("/backend-api/codex").toString())
        .set("codexOAuth", new CodexOAuthSettings(home.authFile().toString(), issuer.issuer().toString(), null).toBlock()).build();
    return LlmAuth.builder().config(LlmAuthConfig.of(codex)).environment(Map.of()).build();
  }

  private HttpResponse<String> llmAuthCall(CodexCli.Home home) throws IOException, InterruptedException {
    try (LlmAuth auth = llmAuth(home)) {
      HttpClient http = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(), auth.authenticator("codex"));
      return http.send(HttpRequest.newBuilder(model.url("/backend-api/codex/responses"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-5-codex\",\"input\":\"Say hello.\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Resolves the provider and authorizes a request with a fresh instance: two reads of the file, no call. */
  private String llmAuthReadsToken(CodexCli.Home home) {
    try (LlmAuth auth = llmAuth(home)) {
      Authorization a = auth.authenticator("codex").authorize(OutgoingRequest.of("POST",
          URI.create(model.url("/backend-api/codex/responses").toString()), Map.of()));
      Map<String, String> headers = new LinkedHashMap<>();
      a.forEachHeader(headers::put);
      return headers.getOrDefault("Authorization", "").replaceFirst("^Bearer ", "");
    }
  }

  private static void writeSignIn(CodexCli.Home home, String accessToken, String refreshToken) throws IOException {
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("id_token", MockOAuthServer.jwt(Map.of("email", "user@example.test", "https://api.openai.com/auth",
        Map.of("chatgpt_account_id", MockOAuthServer.DEFAULT_ACCOUNT_ID, "chatgpt_plan_type", "plus",
            "chatgpt_user_id", "user-mock"))));
    tokens.put("access_token", accessToken);
    tokens.put("refresh_token", refreshToken);
    tokens.put("account_id", MockOAuthServer.DEFAULT_ACCOUNT_ID);
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("auth_mode", "chatgpt");
    file.put("OPENAI_API_KEY", null);
    file.put("tokens", tokens);
    file.put("last_refresh", Instant.now().minus(Duration.ofHours(1)).toString());
    Path tmp = home.authFile().resolveSibling("auth.json.test-tmp");
    Files.writeString(tmp, new GsonBuilder().serializeNulls().create().toJson(file));
    Files.move(tmp, home.authFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Map<String, String> stored(CodexCli.Home home) {
    try {
      JsonObject tokens = JsonParser.parseString(Files.readString(home.authFile())).getAsJsonObject()
          .getAsJsonObject("tokens");
      Map<String, String> out = new LinkedHashMap<>();
      tokens.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().isJsonNull() ? null : e.getValue().getAsString()));
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Waits, at most a minute, for a condition that other threads make true; says whether it became true. */
  private static boolean waitFor(BooleanSupplier condition) throws InterruptedException {
    Instant limit = Instant.now().plus(Duration.ofMinutes(1));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(limit)) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
