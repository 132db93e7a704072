package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("TokenCache")
@Timeout(value = 30, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class TokenCacheTest {
  private final FakeClock clock = new FakeClock();
  private final ManualExecutor executor = new ManualExecutor();
  private final ScriptedSource source = new ScriptedSource();
  private final TokenKey key = TokenKey.of(source, TokenRequest.forScope("scope-a"));
  private final TokenCache cache = TokenCache.builder().clock(clock).executor(executor).random(new MaxJitter()).build();

  @AfterEach
  void close() {
    cache.close();
  }

  private AccessToken token(String value, Duration lifetime) {
    return AccessToken.of(Secret.of(value), clock.plus(lifetime));
  }

  /** Fetches the first token through the cache: one fetch, completed with {@code t}. */
  private AccessToken prime(AccessToken t) {
    CompletableFuture<AccessToken> f = cache.getAsync(key);
    executor.runAll();
    source.complete(t);
    return f.join();
  }

  @Nested
  @DisplayName("fetches lazily")
  class Lazy {
    @Test
    @DisplayName("nothing is fetched until the first get")
    void nothingBeforeFirstGet() {
      TokenKey.of(source, TokenRequest.forScope("x"));
      TokenCache.builder().clock(clock).executor(executor).build().close();
      assertThat(executor.pending()).isZero();
      assertThat(source.calls()).isZero();
    }

    @Test
    @DisplayName("the first get fetches once with reason INITIAL and later gets hit the cache")
    void firstGetFetches() {
      AccessToken t = token("t1", Duration.ofHours(1));
      assertThat(prime(t)).isSameAs(t);
      for (int i = 0; i < 100; i++) {
        assertThat(cache.get(key)).isSameAs(t);
      }
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL);
      assertThat(cache.stats().fetches()).isEqualTo(1);
    }

    @Test
    @DisplayName("entries are keyed by source, scopes and identity")
    void keyedPerScopeAndIdentity() {
      TokenKey otherScope = TokenKey.of(source, TokenRequest.forScope("scope-b"));
      TokenKey otherIdentity = TokenKey.of(source, new TokenRequest(List.of("scope-a"), "client-1"));
      TokenKey sameAsKey = TokenKey.of(source, TokenRequest.forScope("scope-a"));
      prime(token("a", Duration.ofHours(1)));
      cache.getAsync(otherScope);
      cache.getAsync(otherIdentity);
      cache.getAsync(sameAsKey);
      executor.runAll();
      assertThat(source.calls()).isEqualTo(3);
    }
  }

  @Nested
  @DisplayName("refreshes ahead of expiry")
  class RefreshAhead {
    @Test
    @DisplayName("inside the refresh window callers keep the current token while one background fetch runs")
    void backgroundRefresh() {
      AccessToken old = prime(token("old", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6)); // 4 minutes left: inside the 5-minute window
      for (int i = 0; i < 50; i++) {
        CompletableFuture<AccessToken> f = cache.getAsync(key);
        assertThat(f).isCompletedWithValue(old);
        assertThat(cache.get(key)).isSameAs(old);
      }
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD);
      AccessToken fresh = token("new", Duration.ofHours(1));
      source.complete(fresh);
      assertThat(cache.get(key)).isSameAs(fresh);
      assertThat(source.calls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a refreshAt named by the source moves the refresh earlier than the window")
    void refreshAtHonoured() {
      AccessToken t = AccessToken.of(Secret.of("t"), clock.plus(Duration.ofHours(24)), clock.plus(Duration.ofHours(1)));
      prime(t);
      clock.advance(Duration.ofMinutes(59));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofMinutes(2));
      assertThat(cache.get(key)).isSameAs(t);
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD);
    }

    @Test
    @DisplayName("the refresh window is configurable")
    void configurableWindow() {
      try (TokenCache c = TokenCache.builder().clock(clock).executor(executor).refreshAhead(Duration.ofMinutes(20))
          .build()) {
        CompletableFuture<AccessToken> f = c.getAsync(key);
        executor.runAll();
        source.complete(token("t", Duration.ofMinutes(60)));
        f.join();
        clock.advance(Duration.ofMinutes(41));
        c.get(key);
        executor.runAll();
        assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD);
      }
    }
  }

  @Nested
  @DisplayName("the expiry margin")
  class Margin {
    @Test
    @DisplayName("a cached token within 30 s of expiry is not handed out; callers wait for a new one")
    void notReusedNearExpiry() {
      prime(token("old", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(10).minusSeconds(20));
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      assertThat(f).isNotDone();
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.EXPIRED);
      AccessToken fresh = token("new", Duration.ofHours(1));
      source.complete(fresh);
      assertThat(f).isCompletedWithValue(fresh);
    }

    @Test
    @DisplayName("a freshly fetched token serves its waiters even when its lifetime is shorter than the margins")
    void shortLivedTokenServesWaiters() {
      CompletableFuture<AccessToken> a = cache.getAsync(key);
      CompletableFuture<AccessToken> b = cache.getAsync(key);
      executor.runAll();
      AccessToken brief = token("brief", Duration.ofSeconds(2));
      source.complete(brief);
      assertThat(a).isCompletedWithValue(brief);
      assertThat(b).isCompletedWithValue(brief);
      assertThat(source.calls()).isEqualTo(1);
      // A later caller does not get it from the cache: it is inside the margin.
      CompletableFuture<AccessToken> later = cache.getAsync(key);
      assertThat(later).isNotDone();
    }

    @Test
    @DisplayName("an expired token is never returned")
    void expiredNeverReturned() {
      prime(token("old", Duration.ofMinutes(1)));
      clock.advance(Duration.ofMinutes(2));
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      assertThat(f).isNotDone();
      assertThat(cache.peek(key).value().reveal()).isEqualTo("old");
    }
  }

  @Nested
  @DisplayName("a lagging fast clock")
  class LaggingClock {
    @Test
    @DisplayName("can delay a refresh but never hands out a token inside the expiry margin")
    void neverInsideTheMargin() {
      FakeClock precise = new FakeClock();
      FakeClock lagging = new FakeClock(); // stands still, as a starved ticker would
      try (TokenCache c = TokenCache.builder().clocks(lagging, precise).executor(executor).build()) {
        CompletableFuture<AccessToken> first = c.getAsync(key);
        executor.runAll();
        source.complete(AccessToken.of(Secret.of("t"), precise.plus(Duration.ofMinutes(10))));
        first.join();
        precise.advance(Duration.ofMinutes(6)); // in the refresh window; the lagging clock still says "fresh"
        assertThat(c.get(key).value().reveal()).isEqualTo("t");
        assertThat(executor.pending()).as("the lag delays the refresh").isZero();
        lagging.advance(Duration.ofMinutes(5)); // the fast clock catches up to the refresh point, late
        assertThat(c.get(key).value().reveal()).isEqualTo("t");
        assertThat(executor.pending()).as("refresh ahead starts").isEqualTo(1);
        precise.advance(Duration.ofMinutes(4).minusSeconds(20)); // 20 s left: inside the 30 s margin
        assertThat(c.getAsync(key)).as("not handed out inside the margin").isNotDone();
      }
    }
  }

  @Nested
  @DisplayName("single flight")
  class SingleFlight {
    @Test
    @DisplayName("10,000 concurrent callers with nothing cached cause exactly one fetch")
    void tenThousandCallersOneFetch() throws Exception {
      int callers = 10_000;
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<java.util.concurrent.Future<CompletableFuture<AccessToken>>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          calls.add(pool.submit(() -> {
            start.await();
            return cache.getAsync(key);
          }));
        }
        start.countDown();
        List<CompletableFuture<AccessToken>> waits = new ArrayList<>();
        for (var c : calls) {
          waits.add(c.get());
        }
        executor.runAll();
        assertThat(source.calls()).isEqualTo(1);
        AccessToken t = token("shared", Duration.ofHours(1));
        source.complete(t);
        for (CompletableFuture<AccessToken> w : waits) {
          assertThat(w).isCompletedWithValue(t);
        }
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("10,000 blocking callers at expiry cause exactly one fetch and all get its token")
    void blockingCallersAtExpiry() throws Exception {
      prime(token("old", Duration.ofMinutes(1)));
      clock.advance(Duration.ofMinutes(1));
      int callers = 10_000;
      ExecutorService pool = Executors.newFixedThreadPool(64);
      try {
        List<java.util.concurrent.Future<AccessToken>> results = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          results.add(pool.submit(() -> cache.get(key)));
        }
        // Wait until the fetch has been launched, then let it run and complete.
        while (executor.pending() == 0) {
          Thread.onSpinWait();
        }
        executor.runAll();
        AccessToken fresh = token("fresh", Duration.ofHours(1));
        source.complete(fresh);
        for (var r : results) {
          assertThat(r.get()).isSameAs(fresh);
        }
        assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.EXPIRED);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("after expiry, waiters share one fetch and its one failure")
    void waitersShareFailure() {
      List<CompletableFuture<AccessToken>> waits = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        waits.add(cache.getAsync(key));
      }
      executor.runAll();
      source.fail(new TokenException("identity endpoint answered 500", null));
      assertThat(source.calls()).isEqualTo(1);
      for (CompletableFuture<AccessToken> w : waits) {
        assertThat(w).isCompletedExceptionally();
        assertThatThrownBy(w::join).hasCauseInstanceOf(TokenException.class)
            .hasMessageContaining("identity endpoint answered 500");
      }
      // The failure is not cached: the next caller starts a new fetch.
      cache.getAsync(key);
      executor.runAll();
      assertThat(source.calls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a blocking get rethrows the source's TokenException")
    void blockingGetRethrows() throws Exception {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          cache.get(key);
        } catch (Throwable e) {
          thrown.set(e);
        }
      });
      t.start();
      while (executor.pending() == 0) {
        Thread.onSpinWait();
      }
      executor.runAll();
      source.fail(new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "sign in again", true, null, null));
      t.join();
      assertThat(thrown.get()).isInstanceOf(TokenException.class)
          .extracting(e -> ((TokenException) e).code()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
    }
  }

  @Nested
  @DisplayName("failed refreshes")
  class FailedRefresh {
    @Test
    @DisplayName("keep serving the usable token and retry with exponential backoff")
    void backoff() {
      AccessToken old = prime(token("old", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      source.fail(new RuntimeException("boom"));
      assertThat(cache.get(key)).isSameAs(old);
      // Backoff ceiling after the first failure is 1 s (max jitter picks 1000 ms).
      clock.advance(Duration.ofMillis(999));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofMillis(1));
      assertThat(cache.get(key)).isSameAs(old);
      executor.runAll();
      source.fail(new RuntimeException("boom"));
      // Second failure: ceiling 2 s.
      clock.advance(Duration.ofMillis(1999));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofMillis(1));
      cache.get(key);
      executor.runAll();
      AccessToken fresh = token("fresh", Duration.ofHours(1));
      source.complete(fresh);
      assertThat(cache.get(key)).isSameAs(fresh);
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD,
          FetchReason.REFRESH_AHEAD, FetchReason.REFRESH_AHEAD);
      assertThat(cache.stats().failures()).isEqualTo(2);
    }

    @Test
    @DisplayName("the backoff ceiling stops at 30 s")
    void backoffCap() {
      prime(AccessToken.of(Secret.of("old"), clock.plus(Duration.ofHours(24)), clock.plus(Duration.ofHours(1))));
      clock.advance(Duration.ofHours(1));
      for (int i = 0; i < 7; i++) {
        cache.get(key);
        assertThat(executor.runAll()).isEqualTo(1);
        source.fail(new RuntimeException("boom"));
        clock.advance(Duration.ofSeconds(30)); // at least the capped ceiling: the next retry is due
      }
      // After 8 failures the uncapped ceiling would be 128 s; capped, the retry is due after exactly 30 s.
      cache.get(key);
      assertThat(executor.runAll()).isEqualTo(1);
      source.fail(new RuntimeException("boom"));
      clock.advance(Duration.ofMillis(29_999));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofMillis(1));
      cache.get(key);
      assertThat(executor.runAll()).isEqualTo(1);
    }

    @Test
    @DisplayName("a retry-after hint longer than the backoff is honoured")
    void retryAfterHonoured() {
      prime(token("old", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      source.fail(new TokenException(AuthException.TOKEN_UNAVAILABLE, "429", false, Duration.ofSeconds(20), null));
      clock.advance(Duration.ofSeconds(19));
      cache.get(key);
      assertThat(executor.pending()).isZero();
      clock.advance(Duration.ofSeconds(1));
      cache.get(key);
      assertThat(executor.pending()).isEqualTo(1);
    }

    @Test
    @DisplayName("a permanent failure is not retried while the token stays usable")
    void permanentNotRetried() {
      AccessToken old = prime(token("old", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      source.fail(new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "revoked", true, null, null));
      clock.advance(Duration.ofMinutes(3));
      assertThat(cache.get(key)).isSameAs(old);
      assertThat(executor.pending()).isZero();
      // Once unusable, a caller fetches again and sees the failure.
      clock.advance(Duration.ofMinutes(1));
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      executor.runAll();
      source.fail(new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "revoked", true, null, null));
      assertThatThrownBy(f::join).hasCauseInstanceOf(TokenException.class);
    }
  }

  @Nested
  @DisplayName("invalidation")
  class Invalidation {
    @Test
    @DisplayName("many rejections of one token cause one fetch, with reason INVALIDATED")
    void manyRejectionsOneFetch() {
      AccessToken t = prime(token("t", Duration.ofHours(1)));
      int dropped = 0;
      for (int i = 0; i < 500; i++) {
        dropped += cache.invalidate(key, t) ? 1 : 0;
        cache.getAsync(key);
      }
      assertThat(dropped).isEqualTo(1);
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.INVALIDATED);
    }

    @Test
    @DisplayName("rejecting a token that was already replaced does nothing")
    void staleRejectionIgnored() {
      AccessToken first = prime(token("first", Duration.ofHours(1)));
      cache.invalidate(key, first);
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      executor.runAll();
      AccessToken second = token("second", Duration.ofHours(1));
      source.complete(second);
      assertThat(f).isCompletedWithValue(second);
      assertThat(cache.invalidate(key, first)).isFalse();
      assertThat(cache.get(key)).isSameAs(second);
      assertThat(source.calls()).isEqualTo(2);
    }

    @Test
    @DisplayName("a refresh that started before a 401 and brings back the rejected token is fetched again, forced")
    void refreshStartedBeforeTheRejection() {
      AccessToken t = prime(token("t", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      assertThat(cache.get(key)).isSameAs(t); // starts a refresh ahead, not forced past the source's cache
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD);
      // The server rejects t while the refresh is still running; the replay after the 401 joins that refresh.
      assertThat(cache.invalidate(key, t)).isTrue();
      CompletableFuture<AccessToken> replay = cache.getAsync(key);
      // The source answers the refresh from its own cache, with the token it had before the rejection.
      source.complete(AccessToken.of(Secret.of("t"), clock.plus(Duration.ofMinutes(4))));
      assertThat(replay).as("the replay must not get the rejected token").isNotDone();
      assertThat(cache.peek(key)).as("the rejected token is not installed again").isNull();
      assertThat(cache.getIfUsable(key)).isNull();
      CompletableFuture<AccessToken> later = cache.getAsync(key);
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD,
          FetchReason.INVALIDATED);
      AccessToken fresh = token("fresh", Duration.ofHours(1));
      source.complete(fresh);
      assertThat(replay).isCompletedWithValue(fresh);
      assertThat(later).isCompletedWithValue(fresh);
      assertThat(cache.get(key)).isSameAs(fresh);
      assertThat(cache.stats().fetches()).isEqualTo(3);
    }

    @Test
    @DisplayName("a forced fetch that brings back the rejected token is trusted: it serves and is kept")
    void forcedFetchTrusted() {
      AccessToken t = prime(token("t", Duration.ofHours(1)));
      assertThat(cache.invalidate(key, t)).isTrue();
      CompletableFuture<AccessToken> replay = cache.getAsync(key);
      executor.runAll();
      AccessToken again = AccessToken.of(Secret.of("t"), clock.plus(Duration.ofHours(1)));
      source.complete(again);
      assertThat(replay).isCompletedWithValue(again);
      assertThat(cache.get(key)).isSameAs(again);
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.INVALIDATED);
    }

    @Test
    @DisplayName("a refresh that started before a 401 and brings a new token serves it without another fetch")
    void refreshStartedBeforeTheRejectionWithANewToken() {
      AccessToken t = prime(token("t", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      assertThat(cache.invalidate(key, t)).isTrue();
      CompletableFuture<AccessToken> replay = cache.getAsync(key);
      AccessToken fresh = token("fresh", Duration.ofHours(1));
      source.complete(fresh);
      assertThat(replay).isCompletedWithValue(fresh);
      assertThat(cache.get(key)).isSameAs(fresh);
      executor.runAll();
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.REFRESH_AHEAD);
    }
  }

  @Nested
  @DisplayName("waiting ends per caller")
  class Waiting {
    @Test
    @DisplayName("cancelling one caller's future cancels neither the fetch nor the other callers")
    void cancellationIsPerCaller() {
      CompletableFuture<AccessToken> a = cache.getAsync(key);
      CompletableFuture<AccessToken> b = cache.getAsync(key);
      a.cancel(true);
      executor.runAll();
      CompletableFuture<AccessToken> fetch = source.pending.peek();
      assertThat(fetch).isNotNull().isNotCancelled();
      AccessToken t = token("t", Duration.ofHours(1));
      source.complete(t);
      assertThat(b).isCompletedWithValue(t);
      assertThat(cache.get(key)).isSameAs(t);
    }

    @Test
    @DisplayName("an interrupted caller stops waiting with the interrupt flag set; the fetch goes on")
    void interrupt() throws Exception {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flag = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          cache.get(key);
        } catch (Throwable e) {
          thrown.set(e);
          flag.set(Thread.currentThread().isInterrupted());
        }
      });
      waiter.start();
      while (executor.pending() == 0) {
        Thread.onSpinWait();
      }
      waiter.interrupt();
      waiter.join();
      assertThat(thrown.get()).isInstanceOf(TokenException.class).hasMessageContaining("interrupted");
      assertThat(flag.get()).isTrue();
      executor.runAll();
      AccessToken t = token("t", Duration.ofHours(1));
      source.complete(t);
      assertThat(cache.get(key)).isSameAs(t);
      assertThat(source.calls()).isEqualTo(1);
    }

    @Test
    @DisplayName("a caller's deadline ends its wait; later callers get the fetched token")
    void deadline() {
      assertThatThrownBy(() -> cache.get(key, Duration.ofMillis(5))).isInstanceOf(TokenException.class)
          .hasMessageContaining("no token within");
      executor.runAll();
      AccessToken t = token("t", Duration.ofHours(1));
      source.complete(t);
      assertThat(cache.get(key, Duration.ofMillis(5))).isSameAs(t);
      assertThat(source.calls()).isEqualTo(1);
    }

    @Test
    @DisplayName("a source that never answers fails its waiters after the fetch timeout")
    void fetchTimeout() {
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run)
          .fetchTimeout(Duration.ofMillis(50)).build()) {
        assertThatThrownBy(() -> c.get(key)).isInstanceOf(TokenException.class)
            .hasMessageContaining("scripted source did not answer in time");
      }
    }
  }

  @Nested
  @DisplayName("robustness")
  class Robustness {
    @Test
    @DisplayName("a source that throws instead of returning a failed stage fails its waiters")
    void throwingSource() {
      TokenKey k = TokenKey.of(dev.llmauth.api.spi.TokenSource.blocking((r, why) -> {
        throw new IllegalStateException("broken");
      }, "broken source"), TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        assertThatThrownBy(() -> c.get(k)).isInstanceOf(TokenException.class)
            .hasMessageContaining("broken source failed");
      }
    }

    @Test
    @DisplayName("a source that returns null fails its waiters")
    void nullToken() {
      TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(null), TokenRequest.none());
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        assertThatThrownBy(() -> c.get(k)).isInstanceOf(TokenException.class).hasMessageContaining("no token");
      }
    }

    @Test
    @DisplayName("a token that expired before it arrived fails the fetch, naming the clock as the likely cause")
    void alreadyExpired() {
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      executor.runAll();
      source.complete(token("stale", Duration.ofSeconds(-5)));
      assertThatThrownBy(f::join).hasCauseInstanceOf(TokenException.class).hasMessageContaining("clock")
          .hasMessageNotContaining("stale");
      assertThat(cache.peek(key)).isNull();
    }

    @Test
    @DisplayName("the cache is bounded")
    void bounded() {
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).maximumSize(10).build()) {
        for (int i = 0; i < 100; i++) {
          TokenKey k = TokenKey.of((r, why) -> CompletableFuture.completedFuture(
              AccessToken.nonExpiring(Secret.of("k"))), TokenRequest.forScope("s" + i));
          c.get(k);
        }
        assertThat(c.stats().entries()).isLessThanOrEqualTo(10);
      }
    }

    @Test
    @DisplayName("a handle whose entry was evicted finds a new entry and fetches again")
    void evictedEntryIsLookedUpAgain() {
      ScriptedSource other = new ScriptedSource();
      TokenKey b = TokenKey.of(other, TokenRequest.forScope("b"));
      try (TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).maximumSize(1).build()) {
        TokenCache.Handle handle = c.bind(key);
        CompletableFuture<AccessToken> first = handle.getAsync();
        source.complete(token("a1", Duration.ofHours(1)));
        assertThat(first.join().value().reveal()).isEqualTo("a1");
        for (int i = 0; i < 50 && c.stats().entries() > 0 && c.peek(key) != null; i++) {
          CompletableFuture<AccessToken> f = c.getAsync(b); // pressure until the first entry is evicted
          if (!other.pending.isEmpty()) {
            other.complete(token("b" + i, Duration.ofHours(1)));
          }
          f.join();
        }
        assertThat(c.peek(key)).as("evicted").isNull();
        assertThat(handle.peek()).as("evicted, seen through the handle").isNull();
        assertThat(handle.getIfUsable()).as("the evicted entry's token is not served").isNull();
        CompletableFuture<AccessToken> again = handle.getAsync();
        source.complete(token("a2", Duration.ofHours(1)));
        assertThat(again.join().value().reveal()).isEqualTo("a2");
        assertThat(handle.get().value().reveal()).isEqualTo("a2");
        assertThat(c.get(key).value().reveal()).as("the handle's new entry is the key's").isEqualTo("a2");
        assertThat(source.calls()).isEqualTo(2);
      }
    }

    @Test
    @DisplayName("handles of equal keys share one entry with the key itself: one fetch, one token")
    void handlesShareTheEntry() {
      TokenCache.Handle one = cache.bind(TokenKey.of(source, TokenRequest.forScope("scope-a")));
      TokenCache.Handle two = cache.bind(TokenKey.of(source, TokenRequest.forScope("scope-a")));
      assertThat(one.key()).isEqualTo(two.key()).isEqualTo(key).isNotSameAs(key);
      assertThat(source.calls()).as("binding fetches nothing").isZero();
      CompletableFuture<AccessToken> f = one.getAsync();
      CompletableFuture<AccessToken> g = two.getAsync();
      executor.runAll();
      source.complete(token("shared", Duration.ofHours(1)));
      assertThat(f.join().value().reveal()).isEqualTo("shared");
      assertThat(g.join()).isSameAs(f.join());
      assertThat(two.getIfUsable()).isSameAs(f.join());
      assertThat(cache.getIfUsable(key)).isSameAs(f.join());
      assertThat(source.calls()).isEqualTo(1);

      assertThat(two.invalidate(f.join())).isTrue();
      assertThat(one.getIfUsable()).as("invalidated through the other handle").isNull();
      assertThat(cache.peek(key)).isNull();
      CompletableFuture<AccessToken> h = one.getAsync();
      executor.runAll();
      source.complete(token("next", Duration.ofHours(1)));
      assertThat(h.join().value().reveal()).isEqualTo("next");
      assertThat(source.reasons).containsExactly(FetchReason.INITIAL, FetchReason.INVALIDATED);
    }

    @Test
    @DisplayName("a handle of a key bound to one cache never reads another cache's entry")
    void handlePerCache() {
      try (TokenCache c2 = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        prime(token("in-first", Duration.ofHours(1)));
        TokenCache.Handle second = c2.bind(key);
        assertThat(second.getIfUsable()).isNull();
        CompletableFuture<AccessToken> f = second.getAsync();
        source.complete(token("in-second", Duration.ofHours(1)));
        assertThat(f.join().value().reveal()).isEqualTo("in-second");
        assertThat(cache.bind(key).get().value().reveal()).isEqualTo("in-first");
      }
    }

    @Test
    @DisplayName("TokenKey is an immutable value: every field final, equal keys equal whatever a cache did")
    void keyIsAValue() {
      for (java.lang.reflect.Field f : TokenKey.class.getDeclaredFields()) {
        if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
          assertThat(java.lang.reflect.Modifier.isFinal(f.getModifiers()))
              .as("TokenKey field %s is final", f.getName()).isTrue();
          assertThat(java.lang.reflect.Modifier.isVolatile(f.getModifiers()))
              .as("TokenKey field %s is not volatile", f.getName()).isFalse();
        }
      }
      assertThat(TokenKey.class.getDeclaredFields()).as("no static state either")
          .noneMatch(f -> java.lang.reflect.Modifier.isStatic(f.getModifiers()));
      TokenKey used = TokenKey.of(source, TokenRequest.forScope("scope-a"));
      prime(token("t", Duration.ofHours(1)));
      cache.get(used);
      cache.bind(used).get();
      assertThat(used).isEqualTo(key).hasSameHashCodeAs(key);
      assertThat(TokenKey.of(source, TokenRequest.forScope("scope-b"))).isNotEqualTo(key);
      assertThat(TokenKey.of(new ScriptedSource(), TokenRequest.forScope("scope-a"))).isNotEqualTo(key);
    }

    @Test
    @DisplayName("one key used with two caches gets an entry in each")
    void keyInTwoCaches() {
      try (TokenCache c1 = TokenCache.builder().clock(clock).executor(Runnable::run).build();
          TokenCache c2 = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
        CompletableFuture<AccessToken> f1 = c1.getAsync(key);
        source.complete(token("one", Duration.ofHours(1)));
        CompletableFuture<AccessToken> f2 = c2.getAsync(key);
        source.complete(token("two", Duration.ofHours(1)));
        assertThat(f1.join().value().reveal()).isEqualTo("one");
        assertThat(f2.join().value().reveal()).isEqualTo("two");
        assertThat(c1.get(key).value().reveal()).isEqualTo("one");
        assertThat(c2.get(key).value().reveal()).isEqualTo("two");
        assertThat(source.calls()).isEqualTo(2);
      }
    }

    @Test
    @DisplayName("closing cancels the running fetch, fails its waiters and every later fetch")
    void closeCancels() {
      TokenCache c = TokenCache.builder().clock(clock).executor(Runnable::run).build();
      CompletableFuture<AccessToken> waiting = c.getAsync(key);
      CompletableFuture<AccessToken> running = source.pending.peek();
      c.close();
      assertThat(running).isCancelled();
      assertThatThrownBy(waiting::join).hasCauseInstanceOf(TokenException.class).hasMessageContaining("closed");
      assertThatThrownBy(() -> c.get(key)).isInstanceOf(TokenException.class).hasMessageContaining("closed");
    }

    @Test
    @DisplayName("builder settings are checked")
    void builderChecks() {
      assertThatThrownBy(() -> TokenCache.builder().maximumSize(0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maximumSize");
      assertThatThrownBy(() -> TokenCache.builder().refreshAhead(Duration.ofSeconds(-1)))
          .hasMessageContaining("refreshAhead");
      assertThatThrownBy(() -> TokenCache.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
          .hasMessageContaining("backoff");
    }
  }
}
