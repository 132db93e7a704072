package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite for token sources: rules S1 to S6 of {@code RULES.md}, one test per rule.
 *
 * <pre>{@code
 * class MySourceConformanceTest extends TokenSourceVerification {
 *   @Override
 *   protected TokenSourceFixture newFixture() {
 *     return new MySourceFixture();
 *   }
 * }
 * }</pre>
 */
public abstract class TokenSourceVerification {
  /** Creates the suite. */
  protected TokenSourceVerification() {}

  /**
   * Creates a fixture for one test.
   *
   * @return a fresh fixture
   */
  protected abstract TokenSourceFixture newFixture();

  /** <a href="RULES.md#s1">S1</a>: a fetch returns a token that is not yet expired. */
  @Test
  void required_s1_fetchReturnsAToken() throws Exception {
    try (TokenSourceFixture f = fixture()) {
      AccessToken token = await(f.source().fetch(f.request(), FetchReason.INITIAL), "S1");
      assertThat(token.expiresAt()).as("S1: the token's expiry").isAfter(Instant.now());
    }
  }

  /** <a href="RULES.md#s2">S2</a>: the description names the source and shows no secret. */
  @Test
  void required_s2_describesItselfWithoutSecrets() throws Exception {
    try (TokenSourceFixture f = fixture()) {
      AccessToken token = await(f.source().fetch(f.request(), FetchReason.INITIAL), "S2");
      String description = f.source().describe();
      assertThat(description).as("S2: describe()").isNotBlank();
      KitSupport.assertNoSecret(description + " " + f.source(), KitSupport.secrets(f.secrets(), token.value()),
          "S2: describe() or toString()");
    }
  }

  /** <a href="RULES.md#s3">S3</a>: a fetch for an invalidated token reaches the issuer. */
  @Test
  void required_s3_invalidatedFetchReachesTheIssuer() throws Exception {
    try (TokenSourceFixture f = fixture()) {
      KitSupport.skipUnless(f.issuerCalls().isPresent(),
          () -> "S3 cannot be checked: the fixture cannot count issuer calls");
      AccessToken first = await(f.source().fetch(f.request(), FetchReason.INITIAL), "S3");
      int before = f.issuerCalls().getAsInt();
      AccessToken second = await(f.source().fetch(f.request(), FetchReason.INVALIDATED), "S3");
      assertThat(f.issuerCalls().getAsInt()).as("S3: issuer calls for a fetch with reason INVALIDATED (a cache of "
          + "the source's own must be bypassed)").isEqualTo(before + 1);
      assertThat(second.value().equals(first.value())).as("S3: the token fetched after invalidation must differ "
          + "from the rejected one").isFalse();
    }
  }

  /** <a href="RULES.md#s4">S4</a>: failures arrive through the returned stage, without secrets. */
  @Test
  void required_s4_failsThroughTheStage() throws Exception {
    try (TokenSourceFixture f = fixture()) {
      KitSupport.skipUnless(f.failIssuer(), () -> "S4 cannot be checked: the source has no issuer that can fail");
      CompletionStage<AccessToken> stage;
      try {
        stage = f.source().fetch(f.request(), FetchReason.INITIAL);
      } catch (RuntimeException e) {
        fail("S4: fetch() threw " + e.getClass().getName() + " instead of returning a failed stage");
        return;
      }
      assertThat(stage).as("S4: fetch() returned null").isNotNull();
      try {
        stage.toCompletableFuture().get(KitSupport.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        fail("S4: the fetch succeeded although the issuer fails");
      } catch (TimeoutException e) {
        fail("S4: the fetch neither succeeded nor failed while the issuer fails");
      } catch (Exception e) {
        Throwable cause = Futures.unwrap(e);
        assertThat(cause.getMessage()).as("S4: the failure's message").isNotBlank();
        KitSupport.assertNoSecret(cause, f.secrets(), "S4: the failure");
      }
    }
  }

  /** <a href="RULES.md#s5">S5</a>: behind a {@link TokenCache}, concurrent callers cause one fetch. */
  @Test
  void required_s5_worksBehindTheTokenCache() throws Exception {
    try (TokenSourceFixture f = fixture(); TokenCache cache = TokenCache.builder().build()) {
      AtomicInteger fetches = new AtomicInteger();
      TokenSource source = f.source();
      TokenSource counted = new TokenSource() {
        @Override
        public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
          fetches.incrementAndGet();
          return Objects.requireNonNull(source.fetch(request, reason), "S5: fetch() returned null");
        }

        @Override
        public String describe() {
          return source.describe();
        }
      };
      TokenKey key = TokenKey.of(counted, f.request());
      List<CompletableFuture<AccessToken>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        calls.add(cache.getAsync(key));
      }
      AccessToken first = await(calls.get(0), "S5");
      for (CompletableFuture<AccessToken> call : calls) {
        assertThat(await(call, "S5").value()).as("S5: every caller gets the same token").isEqualTo(first.value());
      }
      assertThat(fetches.get()).as("S5: fetches for 50 concurrent callers").isEqualTo(1);
    }
  }

  /** <a href="RULES.md#s6">S6</a>: cancelling a fetch leaves the source usable. */
  @Test
  void required_s6_survivesACancelledFetch() throws Exception {
    try (TokenSourceFixture f = fixture()) {
      f.source().fetch(f.request(), FetchReason.INITIAL).toCompletableFuture().cancel(true);
      AccessToken token = await(f.source().fetch(f.request(), FetchReason.EXPIRED), "S6");
      assertThat(token.expiresAt()).as("S6: a token fetched after a cancelled fetch").isAfter(Instant.now());
    }
  }

  private TokenSourceFixture fixture() {
    return Objects.requireNonNull(newFixture(), "hook newFixture() returned null");
  }

  private static AccessToken await(CompletionStage<AccessToken> stage, String rule) throws Exception {
    assertThat(stage).as(rule + ": fetch() returned null").isNotNull();
    try {
      return Objects.requireNonNull(stage.toCompletableFuture().get(KitSupport.PATIENCE.toSeconds(),
          TimeUnit.SECONDS), rule + ": the fetch completed with null");
    } catch (TimeoutException e) {
      fail(rule + ": the fetch did not complete");
      throw e;
    } catch (java.util.concurrent.ExecutionException e) {
      StringBuilder chain = new StringBuilder();
      for (Throwable c = e.getCause(); c != null && chain.length() < 2000; c = c.getCause()) {
        chain.append(chain.length() == 0 ? "" : "; caused by ").append(c);
      }
      fail(rule + ": the fetch failed: " + chain);
      throw e;
    }
  }
}
