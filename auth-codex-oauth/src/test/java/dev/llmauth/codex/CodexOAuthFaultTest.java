package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.RetryAfter;
import dev.llmauth.conformance.mock.Fault;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every way the token endpoint can fail, through the credential and the shared token cache: what the caller gets,
 * whether the issuer is called again, what happens to auth.json, and that the next request works once the
 * endpoint does.
 */
class CodexOAuthFaultTest {
  private static final IssuerTimeouts TIMEOUTS = new IssuerTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));

  @TempDir java.nio.file.Path home;
  CodexFixture f;
  RequestAuthenticator auth;
  String storedRefresh;
  String storedAccess;
  String before;

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
    auth = f.authenticator(TIMEOUTS);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Stores a sign-in whose access token has expired, so every request must refresh. */
  private void expiredSignIn() {
    storedRefresh = f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    storedAccess = tokens().get("access_token").getAsString();
    before = f.read();
  }

  private JsonObject tokens() {
    return JsonParser.parseString(f.read()).getAsJsonObject().getAsJsonObject("tokens");
  }

  private static String bearer(Authorization a) {
    return CodexFixture.headers(a).get("Authorization").substring("Bearer ".length());
  }

  private TokenException failure() {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> CodexFixture.authorize(auth));
    assertThat(t).isInstanceOf(TokenException.class);
    TokenException e = (TokenException) t;
    assertThat(e.getMessage()).doesNotContain(storedRefresh).doesNotContain(storedAccess);
    return e;
  }

  private void recovers(int refreshesSoFar) {
    String fresh = bearer(CodexFixture.authorize(auth));
    assertThat(fresh).isNotEqualTo(storedAccess).isEqualTo(tokens().get("access_token").getAsString());
    assertThat(f.issuer.refreshCount()).isEqualTo(refreshesSoFar + 1);
  }

  enum Transient {
    TIMEOUT(s -> s.enqueue(Fault.stall(Duration.ofSeconds(20))), "gave no complete answer within 1 s", null),
    RESET(s -> s.enqueue(Fault.connectionReset()), "closed the connection before a complete answer", null),
    TRUNCATED(s -> s.enqueue(Fault.shortBody()), "closed the connection before a complete answer", null),
    TOO_MANY_REQUESTS(s -> s.enqueue(Fault.error(429, "rate_limit_exceeded", Duration.ofSeconds(7))),
        "answered HTTP 429 rate_limit_exceeded; it asked to wait 7 s", Duration.ofSeconds(7)),
    HTTP_500(s -> s.enqueue(Fault.error(500, null)), "answered HTTP 500; the refresh is tried again with backoff", null),
    HTTP_502(s -> s.enqueue(Fault.error(502, null)), "answered HTTP 502;", null),
    HTTP_503(s -> s.enqueue(Fault.error(503, "unavailable", Duration.ofSeconds(2))), "answered HTTP 503 unavailable;",
        Duration.ofSeconds(2)),
    HTTP_504(s -> s.enqueue(Fault.error(504, null)), "answered HTTP 504;", null),
    HTTP_400(s -> s.enqueue(Fault.error(400, null)), "answered HTTP 400;", null),
    HTTP_400_OTHER_CODE(s -> s.enqueue(Fault.error(400, "invalid_request")), "answered HTTP 400 invalid_request;", null),
    HTTP_403(s -> s.enqueue(Fault.error(403, null)), "answered HTTP 403;", null),
    HTTP_403_FORBIDDEN(s -> s.enqueue(Fault.error(403, "forbidden")), "answered HTTP 403 forbidden;", null),
    PROXY_PAGE(s -> s.enqueue(Fault.answer(502, "<html><body>Bad gateway</body></html>")), "answered HTTP 502;", null),
    PROXY_PAGE_403(s -> s.enqueue(Fault.answer(403, "<html><body>Access denied</body></html>")), "answered HTTP 403;",
        null);

    final Consumer<dev.llmauth.conformance.mock.MockOAuthServer> fault;
    final String says;
    final Duration retryAfter;

    Transient(Consumer<dev.llmauth.conformance.mock.MockOAuthServer> fault, String says, Duration retryAfter) {
      this.fault = fault;
      this.says = says;
      this.retryAfter = retryAfter;
    }
  }

  @ParameterizedTest
  @EnumSource(Transient.class)
  void aTransientFaultIsRetryableSaysWhatFailedLeavesTheFileAndTheNextRequestSucceeds(Transient kind) {
    expiredSignIn();
    kind.fault.accept(f.issuer);

    TokenException e = failure();

    assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.retryAfter()).isEqualTo(kind.retryAfter);
    assertThat(e.getMessage()).contains(kind.says).contains(f.issuer.issuer().toString())
        .contains(f.authFile.toString()).containsAnyOf("tried again", "check");
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
    assertThat(f.read()).isEqualTo(before);
    recovers(1);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"access_token\":\"eyJhbGciOiJub25lIn0.eyJleHAi|a body that is not valid JSON",
      "<html>gateway</html>|a body that is not valid JSON",
      "{\"access_token\":\"x\"} trailing|a body that is not valid JSON",
      "[\"access_token\"]|a JSON body that is not an object",
      "''|an empty body",
      "{\"id_token\":\"id\",\"refresh_token\":\"rt-SECRET-in-answer\"}|without an access_token",
      "{\"access_token\":42,\"refresh_token\":\"rt-SECRET-in-answer\"}|without an access_token"})
  void aMalformedAnswerIsATypedErrorWithoutSecretsAndTheFileIsKept(String body, String says) {
    expiredSignIn();
    f.issuer.enqueue(Fault.answer(200, body));

    TokenException e = failure();

    assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.getMessage()).contains(says).contains(f.issuer.issuer().toString())
        .contains(f.authFile + " was left unchanged").doesNotContain("SECRET").doesNotContain("eyJleHAi");
    assertThat(f.read()).isEqualTo(before);
    recovers(1);
  }

  @Test
  void aHugeAnswerIsCutOffAtOneMebibyteAndReported() {
    expiredSignIn();
    f.issuer.enqueue(Fault.hugeBody(8L * 1024 * 1024));

    TokenException e = failure();

    assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.getMessage()).contains("a body larger than 1 MiB, the most that is read").doesNotContain("xxxx");
    assertThat(f.read()).isEqualTo(before);
    recovers(1);
  }

  @Test
  void anAlreadyExpiredAccessTokenInTheAnswerIsReportedButTheRotatedRefreshTokenIsKept() {
    expiredSignIn();
    String rotated = f.issuer.issueRefreshToken();
    String expired = f.issuer.issueAccessToken(Duration.ofMinutes(-10));
    f.issuer.enqueue(Fault.answer(200, "{\"access_token\":\"" + expired + "\",\"refresh_token\":\"" + rotated + "\"}"));

    TokenException e = failure();

    assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.getMessage()).contains("an access token that expired at " + f.clock.instant().minus(
        Duration.ofMinutes(10))).contains("check this machine's clock").doesNotContain(expired)
        .doesNotContain(rotated);
    assertThat(tokens().get("refresh_token").getAsString()).isEqualTo(rotated);
    recovers(1);
    String second = f.issuer.recorded(r -> r.path().equals("/oauth/token")).get(1).bodyText();
    assertThat(JsonParser.parseString(second).getAsJsonObject().get("refresh_token").getAsString())
        .isEqualTo(rotated);
  }

  @ParameterizedTest
  @CsvSource({"400,invalid_grant", "401,", "401,refresh_token_reused", "401,refresh_token_expired",
      "401,refresh_token_invalidated", "400,refresh_token_invalidated", "400,INVALID_GRANT",
      "400,Refresh_Token_Reused", "403,refresh_token_expired"})
  void aPermanentRefusalAsksToSignInAgainAndTheRefreshTokenIsNotSentAgain(int status, String code) {
    expiredSignIn();
    f.issuer.enqueue(Fault.error(status, code));

    TokenException first = failure();
    TokenException second = failure();

    for (TokenException e : new TokenException[] {first, second}) {
      assertThat(e.code()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
      assertThat(e.isPermanent()).isTrue();
      assertThat(e.retryAfter()).isNull();
      assertThat(e.getMessage()).contains(f.authFile.toString())
          .contains("sign in again (`codex login`, or `llm-auth login codex`)").doesNotContain("bin/llm-auth")
          .containsIgnoringCase(code != null ? code : "HTTP " + status);
    }
    assertThat(f.issuer.refreshCount()).as("no retry").isEqualTo(1);
    assertThat(f.read()).isEqualTo(before);
    assertThat(JsonParser.parseString(f.read()).isJsonObject()).isTrue();

    String signedInAgain = f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    assertThat(signedInAgain).isNotEqualTo(storedRefresh);
    recovers(1);
  }

  @Test
  void aWrongIssuerPathIsTransientAndNamesTheSetting() {
    expiredSignIn();
    f.issuer.enqueue(Fault.error(404, null));

    TokenException e = failure();

    assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.getMessage()).contains("answered HTTP 404").contains("check codexOAuth.issuer");
    assertThat(f.read()).isEqualTo(before);
    recovers(1);
  }

  @Test
  void aRefusedConnectionIsTransient() throws Exception {
    expiredSignIn();
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    OAuthClient client = new OAuthClient("http://127.0.0.1:" + closedPort, "codex_cli_rs", TIMEOUTS);
    CodexTokenSource source = new CodexTokenSource(new AuthFile(f.authFile), client, "codex_cli_rs", f.clock);
    RequestAuthenticator down = RequestAuthenticator.of(f.config(), CodexOAuthMethod.credential(source, f.cache));

    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> CodexFixture.authorize(down));

    assertThat(t).isInstanceOfSatisfying(TokenException.class, e -> {
      assertThat(e.isPermanent()).isFalse();
      assertThat(e.getMessage()).contains("refused the connection").contains("check the network connection");
    });
    assertThat(f.read()).isEqualTo(before);
  }

  @Test
  void aTokenInTheRefreshWindowKeepsServingWhileRefreshesBackOffAsTheIssuerAsks() throws Exception {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    String stored = tokens().get("access_token").getAsString();
    f.clock.advance(Duration.ofMinutes(56));
    f.issuer.enqueue(Fault.error(429, "rate_limit_exceeded", Duration.ofSeconds(120)));

    assertThat(bearer(CodexFixture.authorize(auth))).as("first use reads the file").isEqualTo(stored);
    assertThat(bearer(CodexFixture.authorize(auth))).as("starts a refresh ahead of expiry").isEqualTo(stored);
    awaitFailures(1);
    f.clock.advance(Duration.ofSeconds(100));
    assertThat(bearer(CodexFixture.authorize(auth))).as("still within Retry-After").isEqualTo(stored);
    assertThat(f.issuer.refreshCount()).isEqualTo(1);

    f.clock.advance(Duration.ofSeconds(21));
    assertThat(bearer(CodexFixture.authorize(auth))).isEqualTo(stored);
    String next = stored;
    for (int i = 0; i < 500 && next.equals(stored); i++) {
      next = bearer(CodexFixture.authorize(auth));
      if (next.equals(stored)) {
        Thread.sleep(10);
      }
    }
    assertThat(next).isNotEqualTo(stored);
    assertThat(f.issuer.refreshCount()).isEqualTo(2);
    assertThat(Files.getPosixFilePermissions(f.authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  private void awaitFailures(long n) throws InterruptedException {
    for (int i = 0; i < 500 && f.cache.stats().failures() < n; i++) {
      Thread.sleep(10);
    }
    assertThat(f.cache.stats().failures()).isEqualTo(n);
  }

  @Test
  void aRetryAfterPastTheLongestHintIsCutToIt() {
    expiredSignIn();
    f.issuer.enqueue(Fault.error(429, "rate_limit_exceeded", "99999999999999"));
    TokenException e = failure();
    assertThat(e.isPermanent()).isFalse();
    assertThat(e.retryAfter()).isEqualTo(RetryAfter.MAXIMUM).isEqualTo(Duration.ofHours(1));
    assertThat(e.getMessage()).contains("it asked to wait 3600 s");
  }
}
