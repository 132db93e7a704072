package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.RetryAfter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;

/**
 * Whatever the token endpoint answers, reading it yields tokens or a {@link TokenException} whose message holds no
 * token; never another exception.
 */
class TokenResponseProperties {
  private static final String SECRET = "SECRET-7d41c0";
  private static final java.util.Set<String> REFUSALS = java.util.Set.of("refresh_token_reused",
      "refresh_token_expired", "refresh_token_invalidated", "invalid_grant");
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  private static final CodexTokenSource SOURCE = new CodexTokenSource(
      new AuthFile(Path.of("/nonexistent/codex/auth.json")), new OAuthClient("http://127.0.0.1:9", "codex_cli_rs"),
      "codex_cli_rs", InstantSource.fixed(NOW));

  @Property(tries = 2000)
  void anyAnswerGivesTokensOrATypedError(@ForAll @IntRange(min = 100, max = 599) int status,
      @ForAll("bodies") byte[] body, @ForAll("retryAfters") @Nullable String retryAfter) {
    OAuthClient.Response response = OAuthClient.Response.of(status, body, false, RetryAfter.parse(retryAfter, NOW));
    assertThat(response.toString()).doesNotContain(SECRET);
    assertThat(response.body() == null).isEqualTo(response.bodyProblem() != null);
    try {
      CodexTokenSource.Tokens tokens = SOURCE.tokens(response);
      assertThat(status / 100).isEqualTo(2);
      assertThat(tokens.access()).isNotEmpty().isEqualTo(response.string("access_token"));
    } catch (TokenException e) {
      assertThat(e.getMessage()).doesNotContain(SECRET).hasSizeLessThan(1000);
      boolean refused = status == 401
          || REFUSALS.contains(String.valueOf(response.errorCode()).toLowerCase(java.util.Locale.ROOT));
      if (status / 100 != 2 && refused) {
        assertThat(e.code()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
        assertThat(e.isPermanent()).isTrue();
      } else {
        assertThat(e.code()).as("anything else is transient").isEqualTo(AuthException.TOKEN_UNAVAILABLE);
        assertThat(e.isPermanent()).isFalse();
      }
    }
  }

  @Property(tries = 200)
  void anAnswerCutOffAtTheLimitIsReportedAsTooLarge(@ForAll("bodies") byte[] body) {
    OAuthClient.Response response = OAuthClient.Response.of(200, body, true, null);
    assertThat(response.body()).isNull();
    try {
      SOURCE.tokens(response);
      throw new AssertionError("a cut-off answer gave tokens");
    } catch (TokenException e) {
      assertThat(e.getMessage()).contains("larger than 1 MiB").doesNotContain(SECRET);
      assertThat(e.isPermanent()).isFalse();
    }
  }

  @Provide
  Arbitrary<String> retryAfters() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(12), Arbitraries.longs().map(n -> Long.toString(n)),
        Arbitraries.of("Tue, 01 Jan 2030 00:01:30 GMT", "99999999999999999999", "-1", " 5 "))
        .injectNull(0.2);
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<String> tokenValues = Arbitraries.oneOf(Arbitraries.just(SECRET + "-access"),
        Arbitraries.just(""), Arbitraries.just(SECRET + "-eyJ.eyJ.sig"));
    Arbitrary<String> valid = Arbitraries.oneOf(
        tokenValues.map(v -> "{\"access_token\":\"" + v + "\",\"refresh_token\":\"" + SECRET
            + "-refresh\",\"id_token\":\"" + SECRET + "-id\",\"expires_in\":3600}"),
        Arbitraries.of("invalid_grant", "refresh_token_reused", "REFRESH_TOKEN_EXPIRED", "rate_limited", "x y", "")
            .map(code -> "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\"},\"access_token\":\""
                + SECRET + "\"}"),
        Arbitraries.just("{\"error\":\"no such grant: " + SECRET + "\"}"),
        Arbitraries.just("{\"access_token\":{\"value\":\"" + SECRET + "\"}}"),
        Arbitraries.just("{\"access_token\":null,\"refresh_token\":\"" + SECRET + "\"}"));
    Arbitrary<String> truncated = valid.flatMap(v -> Arbitraries.integers().between(0, v.length())
        .map(n -> v.substring(0, n)));
    Arbitrary<String> nested = Arbitraries.integers().between(1, 3000)
        .map(n -> "[".repeat(n) + "{\"access_token\":\"" + SECRET + "\"}");
    Arbitrary<byte[]> text = Arbitraries.oneOf(valid, truncated, nested, Arbitraries.strings().ofMaxLength(60),
        Arbitraries.of("null", "[]", "\"" + SECRET + "\"", "{}", "{\"a\":1} {\"b\":2}", " {} "))
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(text, Arbitraries.bytes().array(byte[].class).ofMaxSize(80));
  }
}
