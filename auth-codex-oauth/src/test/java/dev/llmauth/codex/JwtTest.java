package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockOAuthServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtTest {
  @Test
  void theStoredAccountIdWinsOverTheIdToken() {
    String id = MockOAuthServer.jwt(Map.of("https://api.openai.com/auth", Map.of("chatgpt_account_id", "a1")));
    assertThat(Jwt.accountId(id, "stored")).isEqualTo("stored");
  }

  @Test
  void withoutAStoredIdTheAuthClaimOfTheIdTokenAndNothingElse() {
    String id = MockOAuthServer.jwt(Map.of("https://api.openai.com/auth", Map.of("chatgpt_account_id", "a1"),
        "chatgpt_account_id", "top", "organizations", List.of(Map.of("id", "org"))));
    assertThat(Jwt.accountId(id, null)).isEqualTo("a1");
    String orgsOnly = MockOAuthServer.jwt(Map.of("chatgpt_account_id", "top",
        "organizations", List.of(Map.of("id", "org-1"))));
    assertThat(Jwt.accountId(orgsOnly, null)).as("never an organization id").isNull();
    assertThat(Jwt.accountId("not-a-jwt", null)).isNull();
    assertThat(Jwt.accountId(null, null)).isNull();
  }

  @Test
  void fedrampOnlyWhenTheAuthClaimSaysTrue() {
    assertThat(Jwt.fedramp(MockOAuthServer.jwt(Map.of("https://api.openai.com/auth",
        Map.of("chatgpt_account_is_fedramp", true))))).isTrue();
    assertThat(Jwt.fedramp(MockOAuthServer.jwt(Map.of("https://api.openai.com/auth",
        Map.of("chatgpt_account_is_fedramp", "true"))))).isFalse();
    assertThat(Jwt.fedramp(MockOAuthServer.jwt(Map.of("chatgpt_account_is_fedramp", true)))).isFalse();
    assertThat(Jwt.fedramp(null)).isFalse();
  }

  @Test
  void expiryAndIssueTimeFromClaims() {
    String t = MockOAuthServer.jwt(Map.of("exp", 1_900_000_000L, "iat", 1_899_990_000L));
    assertThat(Jwt.expiry(t)).isEqualTo(Instant.ofEpochSecond(1_900_000_000L));
    assertThat(Jwt.issuedAt(t)).isEqualTo(Instant.ofEpochSecond(1_899_990_000L));
  }

  @Test
  void malformedTokensHaveNoClaims() {
    assertThat(Jwt.claims("a.b")).isNull();
    assertThat(Jwt.claims("a..c")).isNull();
    assertThat(Jwt.claims("x.!!!.y")).isNull();
    assertThat(Jwt.claims("eyJ4IjoxfQ.WzFd.c")).as("payload is an array").isNull();
    assertThat(Jwt.expiry(MockOAuthServer.jwt(Map.of("exp", "soon")))).isNull();
  }

  @Test
  void emailAtTopLevelOrInProfile() {
    assertThat(Jwt.email(MockOAuthServer.jwt(Map.of("email", "a@x.test")))).isEqualTo("a@x.test");
    assertThat(Jwt.email(MockOAuthServer.jwt(Map.of("https://api.openai.com/profile", Map.of("email", "b@x.test")))))
        .isEqualTo("b@x.test");
  }
}
