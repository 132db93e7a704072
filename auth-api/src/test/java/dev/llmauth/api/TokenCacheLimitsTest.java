package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the token cache does with values it cannot trust: retry hints, lifetimes and expiries from a source, and a
 * sampled clock whose ticker is starved.
 */
@DisplayName("TokenCache limits")
@Timeout(value = 30, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class TokenCacheLimitsTest {
  private final FakeClock clock = new FakeClock();
  private final ManualExecutor executor = new ManualExecutor();
  private final ScriptedSource source = new ScriptedSource();
  private final TokenKey key = TokenKey.of(source, TokenRequest.forScope("scope-a"));
  private final TokenCache cache = TokenCache.builder().clock(clock).executor(executor).random(new MaxJitter()).build();

  @AfterEach
  void close() {
    cache.close();
  }

  private AccessToken prime(AccessToken t) {
    CompletableFuture<AccessToken> f = cache.getAsync(key);
    executor.runAll();
    source.complete(t);
    return f.join();
  }

  /** A token that lives 10 hours and is due for refresh after one minute. */
  private AccessToken dueSoon(String value) {
    return AccessToken.of(Secret.of(value), clock.plus(Duration.ofHours(10)), clock.plus(Duration.ofMinutes(1)));
  }

  /** Primes the cache, lets the token become due and fails the refresh ahead with {@code failure}. */
  private AccessToken failRefreshWith(Throwable failure) {
    AccessToken old = prime(dueSoon("old"));
    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.get(key)).isSameAs(old);
    assertThat(executor.runAll()).as("the refresh ahead starts").isEqualTo(1);
    source.fail(failure);
    return old;
  }

  private static TokenException rateLimited(Duration retryAfter) {
    return new TokenException(AuthException.TOKEN_UNAVAILABLE, "429 from the issuer", false, retryAfter, null);
  }

  static Stream<Duration> hugeHints() {
    return Stream.of(Duration.ofSeconds(99_999_999_999_999_999L), Duration.ofSeconds(Long.MAX_VALUE),
        Duration.ofSeconds(-99_999_999_999_999_999L), Duration.ofSeconds(Long.MIN_VALUE));
  }

  @Nested
  @DisplayName("a retry hint from outside")
  class RetryHints {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.llmauth.api.TokenCacheLimitsTest#hugeHints")
    @DisplayName("of any size never leaves the fetch in flight: a rejected token is fetched again at once")
    void neverWedges(Duration hint) {
      AccessToken old = failRefreshWith(rateLimited(hint));
      assertThat(cache.invalidate(key, old)).isTrue();
      CompletableFuture<AccessToken> next = cache.getAsync(key);
      assertThat(executor.runAll()).as("a new fetch starts; the failed one is over").isEqualTo(1);
      AccessToken fresh = AccessToken.of(Secret.of("fresh"), clock.plus(Duration.ofHours(1)));
      source.complete(fresh);
      assertThat(next).isCompletedWithValue(fresh);
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD,
          FetchReason.INVALIDATED);
    }

    @Test
    @DisplayName("a huge Retry-After delays the next refresh of a usable token by one hour at most")
    void cappedAtAnHour() {
      AccessToken old = failRefreshWith(rateLimited(Duration.ofSeconds(99_999_999_999_999_999L)));
      clock.advance(Duration.ofHours(1).minusMillis(1));
      assertThat(cache.get(key)).isSameAs(old);
      assertThat(executor.pending()).as("still inside the capped hint").isZero();
      clock.advance(Duration.ofMillis(1));
      assertThat(cache.get(key)).isSameAs(old);
      assertThat(executor.pending()).as("the retry is due after one hour").isEqualTo(1);
    }

    @Test
    @DisplayName("a negative Retry-After is ignored: the ordinary backoff applies")
    void negativeIgnored() {
      failRefreshWith(rateLimited(Duration.ofSeconds(-99_999_999_999_999_999L)));
      // The first backoff ceiling is 1 s and the jitter picks it.
      clock.advance(Duration.ofMillis(999));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofMillis(1));
      cache.get(key);
      assertThat(executor.pending()).isEqualTo(1);
    }

    @Test
    @DisplayName("a failure whose retryAfter() itself throws still ends the fetch, as a TokenException")
    void throwingHint() {
      TokenException malformed = new TokenException(AuthException.TOKEN_UNAVAILABLE, "429", false, null, null) {
        private static final long serialVersionUID = 1L;

        @Override
        public @Nullable Duration retryAfter() {
          throw new NumberFormatException("Retry-After: soon");
        }
      };
      AccessToken old = failRefreshWith(malformed);
      assertThat(cache.invalidate(key, old)).isTrue();
      CompletableFuture<AccessToken> next = cache.getAsync(key);
      assertThat(executor.runAll()).isEqualTo(1);
      source.fail(malformed);
      assertThatThrownBy(next::join).hasCauseInstanceOf(TokenException.class);
      CompletableFuture<AccessToken> again = cache.getAsync(key);
      assertThat(executor.runAll()).as("the key is not wedged").isEqualTo(1);
      AccessToken fresh = AccessToken.of(Secret.of("fresh"), clock.plus(Duration.ofHours(1)));
      source.complete(fresh);
      assertThat(again).isCompletedWithValue(fresh);
    }

    @Test
    @DisplayName("hints are read in milliseconds between 0 and one hour")
    void hintArithmetic() {
      assertThat(TokenCache.retryAfterMillis(null)).isZero();
      assertThat(TokenCache.retryAfterMillis(Duration.ofSeconds(-5))).isZero();
      assertThat(TokenCache.retryAfterMillis(Duration.ofSeconds(7))).isEqualTo(7_000);
      assertThat(TokenCache.retryAfterMillis(Duration.ofDays(2))).isEqualTo(Duration.ofHours(1).toMillis());
      assertThat(TokenCache.retryAfterMillis(Duration.ofSeconds(Long.MAX_VALUE)))
          .isEqualTo(Duration.ofHours(1).toMillis());
    }

    @Test
    @DisplayName("a caller's huge timeout and a huge fetch timeout do not overflow")
    void hugeTimeouts() {
      try (TokenCache c = TokenCache.builder().clock(clock).executor(executor)
          .fetchTimeout(Duration.ofSeconds(Long.MAX_VALUE)).build()) {
        CompletableFuture<AccessToken> waiter = CompletableFuture.supplyAsync(
            () -> c.get(key, Duration.ofSeconds(Long.MAX_VALUE)));
        while (executor.pending() == 0 && !waiter.isDone()) {
          Thread.onSpinWait();
        }
        assertThat(executor.runAll()).isEqualTo(1);
        AccessToken t = AccessToken.of(Secret.of("t"), clock.plus(Duration.ofHours(1)));
        source.complete(t);
        assertThat(waiter.join()).isSameAs(t);
      }
    }
  }

  @Nested
  @DisplayName("short-lived tokens")
  class ShortLived {
    @Test
    @DisplayName("500 requests, one a second, with 120-second tokens cost one fetch per half-life, not one each")
    void oneFetchPerHalfLife() {
      AtomicInteger calls = new AtomicInteger();
      TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(AccessToken.of(
          Secret.of("t" + calls.incrementAndGet()), clock.plus(Duration.ofSeconds(120)))), TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        for (int i = 0; i < 500; i++) {
          c.get(k);
          clock.advance(Duration.ofSeconds(1));
        }
      }
      // Refreshed once 60 s (half the life) after each arrival: the first fetch and one per minute after it.
      assertThat(calls.get()).isBetween(2, 500 / 60 + 1);
    }

    @Test
    @DisplayName("a source whose refreshAt is always now starts a refresh ahead at most once per 30 s")
    void refreshFloor() {
      AtomicInteger calls = new AtomicInteger();
      TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(AccessToken.of(
          Secret.of("t" + calls.incrementAndGet()), clock.plus(Duration.ofHours(1)), clock.instant())),
          TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        for (int i = 0; i < 300; i++) {
          c.get(k);
          clock.advance(Duration.ofSeconds(1));
        }
      }
      // The first token is refreshed at once (it came from the key's first fetch), later ones every 30 s.
      assertThat(calls.get()).isBetween(3, 300 / 30 + 2);
    }

    @Test
    @DisplayName("the floor is configurable and never delays a fetch for a caller without a usable token")
    void floorConfigurable() {
      AtomicInteger calls = new AtomicInteger();
      // Usable for 10 s (40 s minus the 30 s margin): shorter than a one-minute floor.
      TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(AccessToken.of(
          Secret.of("t" + calls.incrementAndGet()), clock.plus(Duration.ofSeconds(40)))), TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run)
          .minimumRefreshInterval(Duration.ofMinutes(1)).build()) {
        for (int i = 0; i < 100; i++) {
          c.get(k);
          clock.advance(Duration.ofSeconds(1));
        }
      }
      // No refresh ahead ever starts; each token serves its usable 10 s, then the next caller fetches.
      assertThat(calls.get()).isEqualTo(10);
    }
  }

  @Nested
  @DisplayName("far-future expiry")
  class FarFuture {
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger(TokenCache.class.getName());
    private final Handler handler = new Handler() {
      private final SimpleFormatter format = new SimpleFormatter();

      @Override
      public void publish(LogRecord record) {
        logged.add(format.formatMessage(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };

    @AfterEach
    void removeHandler() {
      jul.removeHandler(handler);
    }

    @Test
    @DisplayName("an expiry ten years ahead is treated as 24 h: refreshed before then, logged without the token")
    void cappedAtADay() {
      jul.addHandler(handler);
      AccessToken t = prime(AccessToken.of(Secret.of("far-future-secret"), clock.plus(Duration.ofDays(3650))));
      assertThat(logged).anySatisfy(m -> assertThat(m).contains("maximumTokenLifetime").contains("PT24H"));
      assertThat(logged).noneSatisfy(m -> assertThat(m).contains("far-future-secret"));
      clock.advance(Duration.ofHours(24).minusMinutes(5).minusMillis(1));
      assertThat(cache.get(key)).isSameAs(t);
      assertThat(executor.pending()).as("still fresh").isZero();
      clock.advance(Duration.ofMillis(1));
      assertThat(cache.get(key)).isSameAs(t);
      assertThat(executor.pending()).as("refreshed 5 minutes before the capped expiry").isEqualTo(1);
      clock.advance(Duration.ofMinutes(5).minusSeconds(20));
      assertThat(cache.getAsync(key)).as("not handed out inside the margin of the capped expiry").isNotDone();
    }

    @Test
    @DisplayName("the cap is configurable; a value that never expires is not capped")
    void configurable() {
      ManualExecutor own = new ManualExecutor();
      ScriptedSource scripted = new ScriptedSource();
      TokenKey k = TokenKey.of(scripted, TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(own)
          .maximumTokenLifetime(Duration.ofHours(1)).build()) {
        CompletableFuture<AccessToken> f = c.getAsync(k);
        own.runAll();
        scripted.complete(AccessToken.of(Secret.of("t"), Instant.MAX.minusSeconds(1)));
        f.join();
        clock.advance(Duration.ofMinutes(55).minusMillis(1));
        c.get(k);
        assertThat(own.pending()).isZero();
        clock.advance(Duration.ofMillis(1));
        c.get(k);
        assertThat(own.pending()).as("refresh 5 minutes before the one-hour cap").isEqualTo(1);
      }
      prime(AccessToken.nonExpiring(Secret.of("static-key")));
      clock.advance(Duration.ofDays(400));
      assertThat(cache.get(key).value().reveal()).isEqualTo("static-key");
      assertThat(executor.pending()).isZero();
      assertThatThrownBy(() -> TokenCache.builder().maximumTokenLifetime(Duration.ZERO))
          .hasMessageContaining("maximumTokenLifetime");
      assertThatThrownBy(() -> TokenCache.builder().minimumRefreshInterval(Duration.ofSeconds(-1)))
          .hasMessageContaining("minimumRefreshInterval");
    }
  }

  @Nested
  @DisplayName("a stalled sampled clock")
  class StalledClock {
    @Test
    @DisplayName("never hands out a token inside the margin when its refresh point is the end of its usable life")
    void refreshPointAtTheMargin() {
      FakeClock precise = new FakeClock();
      FakeClock stalled = new FakeClock();
      try (TokenCache c = TokenCache.builder().clocks(stalled, precise).executor(executor).build()) {
        CompletableFuture<AccessToken> first = c.getAsync(key);
        executor.runAll();
        Instant expiry = precise.plus(Duration.ofMinutes(10));
        // refreshAt = expiry - margin, as Codex's half-lifetime rule and short tokens give.
        source.complete(AccessToken.of(Secret.of("t"), expiry, expiry.minusSeconds(30)));
        first.join();
        precise.advance(Duration.ofMinutes(9));
        stalled.advance(Duration.ofMinutes(9)); // the sampler's last tick
        assertThat(c.get(key).value().reveal()).isEqualTo("t");
        precise.advance(Duration.ofSeconds(40)); // 20 s of life left; the sampler starved for 40 s
        assertThat(c.getAsync(key)).as("not handed out inside the margin").isNotDone();
      }
    }

    @Test
    @DisplayName("a sampler starved for up to a minute, at any point of a token's life, never hands out one inside "
        + "the margin")
    void anyStallUnderAMinute() {
      int checked = 0;
      for (Duration life : List.of(Duration.ofSeconds(45), Duration.ofMinutes(2), Duration.ofMinutes(10))) {
        for (boolean namesRefreshAt : new boolean[] {false, true}) {
          for (long tick = 0; tick <= life.toSeconds(); tick += 5) {
            for (long lagMillis : new long[] {1_000, 5_000, 20_000, 40_000, 59_999}) {
              FakeClock precise = new FakeClock();
              FakeClock stalled = new FakeClock();
              Instant expiry = precise.plus(life);
              AtomicInteger n = new AtomicInteger();
              TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(n.getAndIncrement() == 0
                  ? AccessToken.of(Secret.of("first"), expiry, namesRefreshAt ? expiry.minusSeconds(30) : null)
                  : AccessToken.of(Secret.of("next"), precise.plus(Duration.ofHours(1)))), TokenRequest.none());
              try (TokenCache c = TokenCache.builder().clocks(stalled, precise).executor(Runnable::run).build()) {
                c.get(k);
                stalled.advance(Duration.ofSeconds(tick));
                precise.advance(Duration.ofSeconds(tick).plusMillis(lagMillis));
                String got = c.get(k).value().reveal();
                if (got.equals("first")) {
                  assertThat(precise.instant()).as("life %s, refreshAt named %s, last tick at %d s, lag %d ms",
                      life, namesRefreshAt, tick, lagMillis).isBefore(expiry.minusSeconds(30));
                }
                checked++;
              }
            }
          }
        }
      }
      assertThat(checked).isGreaterThan(100);
    }
  }
}
