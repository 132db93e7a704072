package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

/**
 * Random interleavings of callers, clock moves, fetch outcomes, invalidations and cancellations. Whatever the
 * order: no caller ever receives a token that is expired when it receives it, no caller that asks after a token
 * was rejected ever receives that token (the source answers a fetch that is not forced from its own cache, with
 * the token it issued last, and a forced one with a new token), and the source never has two fetches in flight for
 * one key.
 */
class TokenCacheInterleavingProperties {
  enum Step { GET_ASYNC, GET_IF_USABLE, ADVANCE_SMALL, ADVANCE_LARGE, RUN_EXECUTOR, COMPLETE_LONG, COMPLETE_SHORT,
    COMPLETE_EXPIRED, COMPLETE_FROM_SOURCE_CACHE, FAIL, FAIL_PERMANENT, INVALIDATE, CANCEL_WAITER }

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 500)
  void neverExpiredNeverTwiceAtOnce(@ForAll("steps") List<Step> steps) {
    FakeClock clock = new FakeClock();
    ManualExecutor executor = new ManualExecutor();
    ScriptedSource source = new ScriptedSource();
    TokenKey key = TokenKey.of(source, TokenRequest.forScope("s"));
    List<CompletableFuture<AccessToken>> waiters = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    int serial = 0;
    java.util.Set<String> rejected = new java.util.HashSet<>();
    AccessToken[] issuedLast = new AccessToken[1];
    try (TokenCache cache = TokenCache.builder().clock(clock).executor(executor).build()) {
      for (Step step : steps) {
        switch (step) {
          case GET_ASYNC -> {
            java.util.Set<String> rejectedBefore = java.util.Set.copyOf(rejected);
            CompletableFuture<AccessToken> f = cache.getAsync(key);
            f.thenAccept(t -> {
              if (!t.expiresAt().isAfter(clock.instant())) {
                violations.add("received a token expired at " + t.expiresAt() + " at " + clock.instant());
              }
              if (rejectedBefore.contains(t.value().reveal())) {
                violations.add("received " + t.value().reveal() + ", rejected before the caller asked");
              }
            });
            waiters.add(f);
          }
          case GET_IF_USABLE -> {
            AccessToken peeked = cache.peek(key);
            if (peeked != null && peeked.expiresAt().isAfter(clock.instant().plusSeconds(31))) {
              AccessToken t = cache.get(key); // usable: returns at once, without a fetch to wait for
              if (!t.expiresAt().isAfter(clock.instant())) {
                violations.add("get returned an expired token");
              }
              if (rejected.contains(t.value().reveal())) {
                violations.add("get returned the rejected " + t.value().reveal());
              }
            }
          }
          case ADVANCE_SMALL -> clock.advance(Duration.ofSeconds(20));
          case ADVANCE_LARGE -> clock.advance(Duration.ofMinutes(7));
          case RUN_EXECUTOR -> executor.runAll();
          case COMPLETE_LONG -> issuedLast[0] = complete(source, AccessToken.of(Secret.of("t" + serial++),
              clock.plus(Duration.ofMinutes(15))), issuedLast[0]);
          case COMPLETE_FROM_SOURCE_CACHE -> {
            AccessToken last = issuedLast[0];
            boolean forced = !source.pending.isEmpty()
                && source.reasons.get(source.reasons.size() - source.pending.size()) == FetchReason.INVALIDATED;
            if (last != null && !forced && last.expiresAt().isAfter(clock.instant())) {
              complete(source, last, last);
            }
          }
          case COMPLETE_SHORT -> issuedLast[0] = complete(source, AccessToken.of(Secret.of("t" + serial++),
              clock.plus(Duration.ofSeconds(10))), issuedLast[0]);
          case COMPLETE_EXPIRED -> issuedLast[0] = complete(source, AccessToken.of(Secret.of("t" + serial++),
              clock.plus(Duration.ofSeconds(-1))), issuedLast[0]);
          case FAIL -> {
            if (!source.pending.isEmpty()) {
              source.fail(new RuntimeException("transient"));
            }
          }
          case FAIL_PERMANENT -> {
            if (!source.pending.isEmpty()) {
              source.fail(new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "revoked", true, null, null));
            }
          }
          case INVALIDATE -> {
            AccessToken current = cache.peek(key);
            if (current != null && cache.invalidate(key, current)) {
              rejected.add(current.value().reveal());
            }
          }
          case CANCEL_WAITER -> {
            if (!waiters.isEmpty()) {
              waiters.remove(0).cancel(true);
            }
          }
        }
        if (source.pending.size() > 1) {
          violations.add("two fetches in flight after " + step);
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  /** Completes the oldest pending fetch, if any, with {@code token}; returns the token the source issued last. */
  private static @Nullable AccessToken complete(ScriptedSource source, AccessToken token,
      @Nullable AccessToken issuedLast) {
    if (!source.pending.isEmpty()) {
      source.complete(token);
      return token;
    }
    return issuedLast;
  }
}
