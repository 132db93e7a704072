package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.fail;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.ResolutionContext;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the suites share: waiting with a deadline, leak checks, a resolution context, a counting credential. */
final class KitSupport {
  /** How long a suite waits for something that should happen promptly before it declares a failure. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  private KitSupport() {}

  /** Polls {@code condition} until it holds or {@code patience} runs out, then fails with {@code message}. */
  static void await(BooleanSupplier condition, Duration patience, Supplier<String> message) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail(message.get() + " (waited " + patience.toMillis() + " ms)");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting: " + message.get());
      }
    }
  }

  /** Reports the running rule as skipped, with {@code reason}, unless {@code checkable}. */
  static void skipUnless(boolean checkable, Supplier<String> reason) {
    if (!checkable) {
      org.junit.jupiter.api.Assumptions.abort(reason.get());
    }
  }

  /** Fails when a secret occurs in the message or {@code toString()} of {@code t} or any of its causes. */
  static void assertNoSecret(Throwable t, List<Secret> secrets, String what) {
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      assertNoSecret(String.valueOf(c.getMessage()) + " " + c, secrets, what + " (" + c.getClass().getName() + ")");
      for (Throwable s : c.getSuppressed()) {
        assertNoSecret(s, secrets, what + " (suppressed)");
      }
    }
  }

  /** Fails when a secret occurs in {@code text}; the failure names the secret by fingerprint only. */
  static void assertNoSecret(String text, List<Secret> secrets, String what) {
    for (Secret s : secrets) {
      if (s.occursIn(text)) {
        fail(what + " shows a secret (" + s.fingerprint() + "); secrets must never appear in messages or "
            + "toString()");
      }
    }
  }

  /** @return whether a header of {@code request}, name or value, shows one of {@code secrets} */
  static boolean headersShow(dev.llmauth.conformance.mock.RecordedRequest request, List<Secret> secrets) {
    for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
      String text = h.getKey() + ": " + String.join(", ", h.getValue());
      for (Secret s : secrets) {
        if (s.occursIn(text)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Unwraps the wrappers futures add. */
  /** The messages of {@code t} and its causes, one a line. */
  static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      out.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return out.toString();
  }

  /** @return the first {@link AuthException} in the cause chain, or {@code null} */
  static @org.jspecify.annotations.Nullable AuthException authCause(Throwable t) {
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      if (c instanceof AuthException ae) {
        return ae;
      }
    }
    return null;
  }

  static List<Secret> secrets(List<Secret> more, Secret... some) {
    List<Secret> all = new ArrayList<>(more);
    all.addAll(List.of(some));
    return all;
  }

  /** A resolution context over a fresh token cache, on the system clock or on one the suite moves. */
  static final class Context implements ResolutionContext, AutoCloseable {
    private final TokenCache cache;
    private final Map<String, String> environment;
    private final InstantSource clock;

    Context(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      this.clock = InstantSource.system();
      this.cache = TokenCache.builder().build();
    }

    /** A context whose clock, and its token cache's, is {@code clock}. */
    Context(Map<String, String> environment, InstantSource clock) {
      this.environment = Map.copyOf(environment);
      this.clock = clock;
      this.cache = TokenCache.builder().clock(clock).build();
    }

    @Override
    public TokenCache tokenCache() {
      return cache;
    }

    @Override
    public Map<String, String> environment() {
      return environment;
    }

    @Override
    public InstantSource clock() {
      return clock;
    }

    @Override
    public void close() {
      cache.close();
    }
  }

  /** A clock that moves only when the suite moves it. */
  static final class ManualClock implements InstantSource {
    private volatile java.time.Instant now;

    ManualClock(java.time.Instant start) {
      this.now = start;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }

    void set(java.time.Instant instant) {
      now = instant;
    }
  }

  /** Counts how often requests ask the credential for a token. */
  static final class CountingCredential implements Credential {
    private final Credential delegate;
    final AtomicInteger tokenCalls = new AtomicInteger();

    CountingCredential(Credential delegate) {
      this.delegate = delegate;
    }

    @Override
    public String method() {
      return delegate.method();
    }

    @Override
    public TokenUse use() {
      return delegate.use();
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      tokenCalls.incrementAndGet();
      return delegate.token();
    }

    @Override
    public boolean invalidate(AccessToken token) {
      return delegate.invalidate(token);
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
