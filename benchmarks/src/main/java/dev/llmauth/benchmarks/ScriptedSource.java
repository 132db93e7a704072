package dev.llmauth.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The storm's token source: the first call fills the cache at once with a token that lives {@code firstLifetime}
 * from that call; every later call is counted, takes {@code latency} and brings a token that lives an hour.
 */
final class ScriptedSource implements Supplier<IssuedToken> {
  /** The value of the token that fills the cache. */
  static final String FIRST_TOKEN = "first-token";
  private final Duration firstLifetime;
  private final Duration latency;
  private final AtomicInteger calls = new AtomicInteger();

  ScriptedSource(Duration firstLifetime, Duration latency) {
    this.firstLifetime = firstLifetime;
    this.latency = latency;
  }

  @Override
  public IssuedToken get() {
    int call = calls.getAndIncrement();
    if (call == 0) {
      return new IssuedToken(FIRST_TOKEN, Instant.now().plus(firstLifetime));
    }
    try {
      Thread.sleep(latency.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return new IssuedToken("token-" + call, Instant.now().plus(Duration.ofHours(1)));
  }

  /** @return the calls after the first, which only filled the cache */
  int refreshCalls() {
    return Math.max(0, calls.get() - 1);
  }
}
