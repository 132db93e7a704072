package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CodexTokenSourceTest {
  @TempDir Path home;
  CodexFixture f;

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static JsonObject json(String s) {
    return JsonParser.parseString(s).getAsJsonObject();
  }

  private static String bearer(Authorization a) {
    return CodexFixture.headers(a).get("Authorization").substring("Bearer ".length());
  }

  @Test
  void aFreshStoredTokenIsSentWithAccountAndOriginatorWithoutCallingTheIssuer() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    String stored = json(f.read()).getAsJsonObject("tokens").get("access_token").getAsString();

    Authorization a = CodexFixture.authorize(f.authenticator());

    Map<String, String> h = CodexFixture.headers(a);
    assertThat(h).containsEntry("Authorization", "Bearer " + stored)
        .containsEntry("ChatGPT-Account-Id", MockOAuthServer.DEFAULT_ACCOUNT_ID)
        .containsEntry("originator", "codex_cli_rs");
    assertThat(a.headersToRemove()).contains("authorization", "api-key", "x-api-key");
    assertThat(f.issuer.recorded()).isEmpty();
  }

  @Test
  void anExpiredTokenIsRefreshedOnceAndTheFileRewrittenKeepingUnknownMembers() throws Exception {
    String oldRefresh = f.writeSignIn(Duration.ofMinutes(-1), Map.of("custom_member", Map.of("keep", true)));
    JsonObject before = json(f.read());
    before.getAsJsonObject("tokens").addProperty("future_field", "kept");
    f.write(before.toString());
    f.clock.advance(Duration.ofSeconds(5));

    RequestAuthenticator auth = f.authenticator();
    String first = bearer(CodexFixture.authorize(auth));
    String second = bearer(CodexFixture.authorize(auth));

    assertThat(f.issuer.refreshCount()).isEqualTo(1);
    assertThat(second).isEqualTo(first);
    JsonObject after = json(f.read());
    JsonObject tokens = after.getAsJsonObject("tokens");
    assertThat(tokens.get("access_token").getAsString()).isEqualTo(first)
        .isNotEqualTo(before.getAsJsonObject("tokens").get("access_token").getAsString());
    assertThat(tokens.get("refresh_token").getAsString()).as("rotated").isNotEqualTo(oldRefresh);
    assertThat(tokens.get("future_field").getAsString()).isEqualTo("kept");
    assertThat(after.getAsJsonObject("custom_member").get("keep").getAsBoolean()).isTrue();
    assertThat(after.has("OPENAI_API_KEY")).isTrue();
    assertThat(after.get("last_refresh").getAsString()).isEqualTo(f.clock.instant().toString());
    assertThat(Files.getPosixFilePermissions(f.authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String body = f.issuer.recorded(r -> r.path().equals("/oauth/token")).get(0).bodyText();
    assertThat(json(body).get("grant_type").getAsString()).isEqualTo("refresh_token");
    assertThat(json(body).get("client_id").getAsString()).isEqualTo(MockOAuthServer.CLIENT_ID);
    assertThat(json(body).get("refresh_token").getAsString()).isEqualTo(oldRefresh);
  }

  /** Replaces the stored id token and account id of the sign-in in the file. */
  private void storeIdentity(String idToken, String accountId) {
    JsonObject root = json(f.read());
    JsonObject tokens = root.getAsJsonObject("tokens");
    tokens.addProperty("id_token", idToken);
    if (accountId == null) {
      tokens.remove("account_id");
    } else {
      tokens.addProperty("account_id", accountId);
    }
    f.write(root.toString());
  }

  @Test
  void theStoredAccountIdIsSentAndNeverChangedByARefresh() {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    storeIdentity(f.issuer.issueIdToken(), "ws-chosen-at-sign-in");
    f.issuer.accountId("acct-from-new-id-token");

    Authorization a = CodexFixture.authorize(f.authenticator());

    assertThat(f.issuer.refreshCount()).isEqualTo(1);
    assertThat(CodexFixture.headers(a)).containsEntry("ChatGPT-Account-Id", "ws-chosen-at-sign-in");
    assertThat(json(f.read()).getAsJsonObject("tokens").get("account_id").getAsString())
        .isEqualTo("ws-chosen-at-sign-in");
  }

  @Test
  void withoutAStoredAccountIdItComesFromTheIdTokensAuthClaimNeverFromAnOrganization() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    storeIdentity(MockOAuthServer.jwt(Map.of("https://api.openai.com/auth",
        Map.of("chatgpt_account_id", "acct-claim"), "organizations", List.of(Map.of("id", "org-1")))), null);
    assertThat(CodexFixture.headers(CodexFixture.authorize(f.authenticator())))
        .containsEntry("ChatGPT-Account-Id", "acct-claim");

    storeIdentity(MockOAuthServer.jwt(Map.of("organizations", List.of(Map.of("id", "org-1")))), null);
    try (TokenCache other = TokenCache.builder().clock(f.clock).build()) {
      assertThat(CodexFixture.headers(CodexFixture.authorize(f.authenticator(other))))
          .doesNotContainKey("ChatGPT-Account-Id").doesNotContainValue("org-1");
    }
  }

  @Test
  void aFedrampWorkspaceSendsTheFedrampHeader() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    assertThat(CodexFixture.headers(CodexFixture.authorize(f.authenticator())))
        .doesNotContainKey("X-OpenAI-Fedramp");

    storeIdentity(MockOAuthServer.jwt(Map.of("https://api.openai.com/auth", Map.of("chatgpt_account_id", "acct-f",
        "chatgpt_account_is_fedramp", true))), "acct-f");
    try (TokenCache other = TokenCache.builder().clock(f.clock).build()) {
      assertThat(CodexFixture.headers(CodexFixture.authorize(f.authenticator(other))))
          .containsEntry("X-OpenAI-Fedramp", "true").containsEntry("ChatGPT-Account-Id", "acct-f");
    }
  }

  @Test
  void fieldsTheRefreshAnswerOmitsAreKept() {
    String oldRefresh = f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    String oldId = json(f.read()).getAsJsonObject("tokens").get("id_token").getAsString();
    f.issuer.omitOnRefresh("id_token", "refresh_token");

    CodexFixture.authorize(f.authenticator());

    JsonObject tokens = json(f.read()).getAsJsonObject("tokens");
    assertThat(tokens.get("id_token").getAsString()).isEqualTo(oldId);
    assertThat(tokens.get("refresh_token").getAsString()).isEqualTo(oldRefresh);
    assertThat(tokens.get("account_id").getAsString()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
  }

  @Test
  void aTokenInsideTheRefreshWindowIsServedWhileOneBackgroundRefreshReplacesIt() throws Exception {
    f.writeSignIn(Duration.ofMinutes(3), Map.of());
    f.clock.advance(Duration.ofMinutes(2));
    String stored = json(f.read()).getAsJsonObject("tokens").get("access_token").getAsString();
    RequestAuthenticator auth = f.authenticator();

    assertThat(bearer(CodexFixture.authorize(auth))).isEqualTo(stored);
    String next = stored;
    for (int i = 0; i < 500 && next.equals(stored); i++) {
      next = bearer(CodexFixture.authorize(auth));
      if (next.equals(stored)) {
        Thread.sleep(10);
      }
    }
    assertThat(next).isNotEqualTo(stored);
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
  }

  @Test
  void a401InvalidatesOnceAndTheReplayGetsANewToken() {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    RequestAuthenticator auth = f.authenticator();
    Authorization rejected = CodexFixture.authorize(auth);

    assertThat(auth.invalidate(rejected)).isTrue();
    Authorization replay = CodexFixture.authorize(auth);
    assertThat(auth.invalidate(rejected)).as("already replaced").isTrue();
    Authorization again = CodexFixture.authorize(auth);

    assertThat(bearer(replay)).isNotEqualTo(bearer(rejected)).isEqualTo(bearer(again));
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
    assertThat(json(f.read()).getAsJsonObject("tokens").get("access_token").getAsString()).isEqualTo(bearer(replay));
  }

  @ParameterizedTest
  @CsvSource({"401,refresh_token_reused", "401,refresh_token_expired", "401,refresh_token_invalidated",
      "400,invalid_grant", "401,", "400,refresh_token_expired"})
  void permanentRefreshFailuresAskToSignInAgainWithoutRetryAndLeaveTheFileIntact(int status, String code) {
    String refresh = f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    String before = f.read();
    f.issuer.enqueue(Fault.error(status, code));

    assertThatThrownBy(() -> CodexFixture.authorize(f.authenticator()))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          assertThat(e.code()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
          assertThat(e.isPermanent()).isTrue();
          assertThat(e.getMessage()).contains("sign in again (`codex login`, or `llm-auth login codex`)")
              .doesNotContain("bin/llm-auth").contains(f.authFile.toString()).doesNotContain(refresh);
          if (code != null) {
            assertThat(e.getMessage()).contains(code);
          }
        });
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
    assertThat(f.read()).isEqualTo(before);
  }

  @Test
  void aReplayedRefreshTokenIsDetectedByTheIssuer() throws Exception {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    Path copy = home.resolve("copy");
    Files.createDirectories(copy);
    Files.copy(f.authFile, copy.resolve("auth.json"));

    CodexFixture.authorize(f.authenticator());
    try (CodexFixture other = new CodexFixture(copy.getParent().resolve("copy-home"))) {
      Files.createDirectories(other.authFile.getParent());
      Files.copy(copy.resolve("auth.json"), other.authFile);
      dev.llmauth.api.config.ProviderConfig config = f.config();
      RequestAuthenticator stale = RequestAuthenticator.of(config,
          new CodexOAuthMethod().create(config, other.context()));
      assertThatThrownBy(() -> CodexFixture.authorize(stale))
          .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.getMessage())
              .contains("refresh_token_reused"));
    }
  }

  @Test
  void transientFailuresAreNotPermanent() {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    f.issuer.enqueue(Fault.error(503, null));

    assertThatThrownBy(() -> CodexFixture.authorize(f.authenticator()))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
          assertThat(e.isPermanent()).isFalse();
        });
    assertThat(bearer(CodexFixture.authorize(f.authenticator()))).isNotBlank();
  }

  @Test
  void aMissingFileAsksToSignIn() {
    assertThatThrownBy(() -> CodexFixture.authorize(f.authenticator()))
        .isInstanceOfSatisfying(TokenException.class, e -> {
          assertThat(e.code()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
          assertThat(e.getMessage()).contains("no ChatGPT sign-in stored at " + f.authFile);
        });
  }

  @Test
  void aThousandConcurrentRequestsWithAnExpiredTokenCauseOneRefresh() throws Exception {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    f.issuer.tokenDelay(Duration.ofMillis(100));
    RequestAuthenticator auth = f.authenticator();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return bearer(CodexFixture.authorize(auth));
        }));
      }
      go.countDown();
      String first = results.get(0).get();
      for (Future<String> r : results) {
        assertThat(r.get()).isEqualTo(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
  }

  @Test
  void twoCachesSharingOneFileInOneJvmCauseOneRefresh() throws Exception {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    f.issuer.tokenDelay(Duration.ofMillis(200));
    try (TokenCache second = TokenCache.builder().clock(f.clock).build()) {
      RequestAuthenticator a = f.authenticator();
      RequestAuthenticator b = f.authenticator(second);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch go = new CountDownLatch(1);
        Future<String> x = pool.submit(() -> {
          go.await();
          return bearer(CodexFixture.authorize(a));
        });
        Future<String> y = pool.submit(() -> {
          go.await();
          return bearer(CodexFixture.authorize(b));
        });
        go.countDown();
        assertThat(x.get()).isEqualTo(y.get());
      } finally {
        pool.shutdownNow();
      }
    }
    assertThat(f.issuer.refreshCount()).isEqualTo(1);
  }

  @Test
  void noSecretInDescriptionsOrErrors() {
    String refresh = f.writeSignIn(Duration.ofHours(1), Map.of());
    RequestAuthenticator auth = f.authenticator();
    Authorization a = CodexFixture.authorize(auth);
    String access = bearer(a);
    AccessToken token = AccessToken.of(dev.llmauth.api.Secret.of(access), java.time.Instant.MAX);

    String shown = auth + " " + auth.describe() + " " + a + " " + token + " "
        + new OAuthClient.Response(200, json("{\"access_token\":\"" + access + "\"}"), null, null);
    assertThat(shown).doesNotContain(access).doesNotContain(refresh).contains(f.authFile.toString());
  }
}
