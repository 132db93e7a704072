package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves that every token-source rule passes for a correct source and fails, usefully, for a broken one. */
class TokenSourceVerificationSelfTest {
  enum Fault { NONE, EXPIRED, LEAKY_DESCRIBE, OWN_CACHE, THROWS, NULL_STAGE, CANCEL_BREAKS }

  private static volatile Fault fault = Fault.NONE;

  /** The suite with the test source. */
  static class Suite extends TokenSourceVerification {
    @Override
    protected TokenSourceFixture newFixture() {
      return new Fixture(fault);
    }
  }

  /** An in-process source with switches. */
  static final class Fixture implements TokenSourceFixture, TokenSource {
    private final Fault f;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean failing;
    private volatile boolean broken;
    private volatile AccessToken cached;

    Fixture(Fault f) {
      this.f = f;
    }

    @Override
    public TokenSource source() {
      return this;
    }

    @Override
    public TokenRequest request() {
      return TokenRequest.forScope("https://example.test/.default");
    }

    @Override
    public OptionalInt issuerCalls() {
      return OptionalInt.of(calls.get());
    }

    @Override
    public boolean failIssuer() {
      failing = true;
      return true;
    }

    @Override
    public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
      if (f == Fault.NULL_STAGE) {
        return null;
      }
      if (failing && f == Fault.THROWS) {
        throw new TokenException("the test issuer is failing", null);
      }
      if (failing || broken) {
        return CompletableFuture.failedFuture(new TokenException("the test issuer is failing", null));
      }
      if (f == Fault.OWN_CACHE && cached != null) {
        return CompletableFuture.completedFuture(cached);
      }
      Instant expiry = Instant.now().plus(f == Fault.EXPIRED ? Duration.ofHours(-1) : Duration.ofHours(1));
      AccessToken token = AccessToken.of(Secret.of("source-token-" + calls.incrementAndGet()), expiry);
      cached = token;
      CompletableFuture<AccessToken> out = new CompletableFuture<>();
      if (f == Fault.CANCEL_BREAKS) {
        out.whenComplete((x, t) -> broken |= out.isCancelled());
        CompletableFuture.runAsync(() -> out.complete(token),
            CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS));
        return out;
      }
      out.complete(token);
      return out;
    }

    @Override
    public String describe() {
      return f == Fault.LEAKY_DESCRIBE && cached != null ? "test source " + cached.value().reveal() : "test source";
    }
  }

  private static Map<String, SuiteRunner.Outcome> run(Fault f) {
    fault = f;
    try {
      return SuiteRunner.run(Suite.class);
    } finally {
      fault = Fault.NONE;
    }
  }

  @Test
  void aCorrectSourcePassesEveryRule() {
    Map<String, SuiteRunner.Outcome> outcomes = run(Fault.NONE);
    assertThat(outcomes.keySet()).hasSize(6).allMatch(n -> n.matches("required_s\\d+_\\w+"));
    outcomes.forEach((rule, o) -> assertThat(o.passed).as(rule + ": " + o).isEqualTo(1));
  }

  static Stream<Arguments> brokenSources() {
    return Stream.of(
        Arguments.of(Fault.EXPIRED, "required_s1_fetchReturnsAToken", "S1: the token's expiry"),
        Arguments.of(Fault.LEAKY_DESCRIBE, "required_s2_describesItselfWithoutSecrets", "shows a secret"),
        Arguments.of(Fault.OWN_CACHE, "required_s3_invalidatedFetchReachesTheIssuer",
            "S3: issuer calls for a fetch with reason INVALIDATED"),
        Arguments.of(Fault.THROWS, "required_s4_failsThroughTheStage", "instead of returning a failed stage"),
        Arguments.of(Fault.NULL_STAGE, "required_s5_worksBehindTheTokenCache", "returned null"),
        Arguments.of(Fault.CANCEL_BREAKS, "required_s6_survivesACancelledFetch", "the test issuer is failing"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("brokenSources")
  void aBrokenSourceFailsItsRuleWithAUsefulMessage(Fault broken, String rule, String message) {
    Map<String, SuiteRunner.Outcome> outcomes = run(broken);

    assertThat(outcomes.get(rule)).as(rule).isNotNull();
    assertThat(outcomes.get(rule).failures).as(rule + " for " + broken).isNotEmpty()
        .anySatisfy(f -> assertThat(f).contains(message));
  }
}
