package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenRequest;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Token events")
@Timeout(value = 30, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class TokenEventsTest {
  private final FakeClock clock = new FakeClock();
  private final ManualExecutor executor = new ManualExecutor();
  private final ScriptedSource source = new ScriptedSource();
  private final TokenKey key = TokenKey.of(source, TokenRequest.forScope("scope-a"));
  private final TokenCache cache = TokenCache.builder().clock(clock).executor(executor).random(new MaxJitter()).build();
  private final Recorder events = new Recorder();

  @AfterEach
  void close() {
    cache.close();
  }

  /** Collects events; {@link #next()} waits for the next one (the timeout only guards against a hang). */
  static final class Recorder implements TokenListener {
    final LinkedBlockingQueue<TokenEvent> queue = new LinkedBlockingQueue<>();
    final List<TokenEvent> all = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onEvent(TokenEvent event) {
      all.add(event);
      queue.add(event);
    }

    TokenEvent next() throws InterruptedException {
      TokenEvent e = queue.poll(20, TimeUnit.SECONDS);
      assertThat(e).as("an event was delivered").isNotNull();
      return e;
    }

    /** Waits for the end of the marker's fetch, the last event of a test. */
    void awaitMarkerEnd() throws InterruptedException {
      TokenEvent e;
      do {
        e = next();
      } while (!(e instanceof TokenEvent.FetchSucceeded && e.source().equals("marker source")));
    }

    List<TokenEvent> snapshot() {
      synchronized (all) {
        return List.copyOf(all);
      }
    }

    <T extends TokenEvent> T next(Class<T> type) throws InterruptedException {
      return type.cast(assertThat(next()).isInstanceOf(type).actual());
    }
  }

  private AccessToken token(String value, Duration lifetime) {
    return AccessToken.of(Secret.of(value), clock.plus(lifetime));
  }

  private AccessToken prime(AccessToken t) {
    CompletableFuture<AccessToken> f = cache.getAsync(key);
    executor.runAll();
    source.complete(t);
    return f.join();
  }

  /** A fetch for a second key, whose events mark a point in the ordered stream. */
  private void marker() {
    AccessToken t = token("marker", Duration.ofHours(1));
    CompletableFuture<AccessToken> f = cache.getAsync(TokenKey.of(
        dev.llmauth.api.spi.TokenSource.blocking((request, reason) -> t, "marker source"), TokenRequest.none()));
    executor.runAll();
    f.join();
  }

  @Nested
  @DisplayName("a fetch")
  class Fetch {
    @Test
    @DisplayName("reports started and succeeded with reason, duration and time to expiry")
    void startedAndSucceeded() throws Exception {
      cache.addListener(events);
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      executor.runAll();
      clock.advance(Duration.ofMillis(250));
      source.complete(token("t1", Duration.ofHours(1)));
      f.join();

      TokenEvent.FetchStarted started = events.next(TokenEvent.FetchStarted.class);
      assertThat(started.reason()).isEqualTo(FetchReason.INITIAL);
      assertThat(started.source()).isEqualTo("scripted source");
      assertThat(started.provider()).isNull();
      TokenEvent.FetchSucceeded ok = events.next(TokenEvent.FetchSucceeded.class);
      assertThat(ok.reason()).isEqualTo(FetchReason.INITIAL);
      assertThat(ok.duration()).isEqualTo(Duration.ofMillis(250));
      assertThat(ok.timeToExpiry()).isEqualTo(Duration.ofHours(1));
      assertThat(ok.at()).isEqualTo(clock.instant());
    }

    @Test
    @DisplayName("a cached token handed out emits nothing")
    void hitEmitsNothing() throws Exception {
      cache.addListener(events);
      AccessToken t = prime(token("t1", Duration.ofHours(1)));
      events.next(TokenEvent.FetchStarted.class);
      events.next(TokenEvent.FetchSucceeded.class);
      for (int i = 0; i < 1000; i++) {
        assertThat(cache.get(key)).isSameAs(t);
        assertThat(cache.getAsync(key).join()).isSameAs(t);
      }
      marker();
      // Events are delivered in order, so had a hit emitted anything it would come before the marker's.
      assertThat(events.next(TokenEvent.FetchStarted.class).source()).isEqualTo("marker source");
    }

    @Test
    @DisplayName("a failed refresh reports the code, transient, and when the cache tries again")
    void failedRefresh() throws Exception {
      cache.addListener(events);
      prime(token("t1", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6)); // inside the 5-minute refresh window
      cache.get(key);
      executor.runAll();
      source.fail(new TokenException("the identity endpoint answered 503", null));
      events.next(TokenEvent.FetchStarted.class);
      events.next(TokenEvent.FetchSucceeded.class);
      assertThat(events.next(TokenEvent.FetchStarted.class).reason()).isEqualTo(FetchReason.REFRESH_AHEAD);
      TokenEvent.FetchFailed failed = events.next(TokenEvent.FetchFailed.class);
      assertThat(failed.reason()).isEqualTo(FetchReason.REFRESH_AHEAD);
      assertThat(failed.errorCode()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
      assertThat(failed.permanent()).isFalse();
      assertThat(failed.message()).isEqualTo("the identity endpoint answered 503");
      assertThat(failed.nextRetry()).isEqualTo(clock.plus(Duration.ofSeconds(1)));
    }

    @Test
    @DisplayName("a permanent failure reports no next retry")
    void permanentFailure() throws Exception {
      cache.addListener(events);
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      executor.runAll();
      source.fail(new TokenException(AuthException.OAUTH_REAUTH_REQUIRED, "sign in again", true, null, null));
      assertThatThrownBy(f::join).hasCauseInstanceOf(TokenException.class);
      events.next(TokenEvent.FetchStarted.class);
      TokenEvent.FetchFailed failed = events.next(TokenEvent.FetchFailed.class);
      assertThat(failed.errorCode()).isEqualTo(AuthException.OAUTH_REAUTH_REQUIRED);
      assertThat(failed.permanent()).isTrue();
      assertThat(failed.nextRetry()).isNull();
    }

    @Test
    @DisplayName("a due refresh under backoff is reported once per backoff period")
    void skippedUnderBackoff() throws Exception {
      cache.addListener(events);
      prime(token("t1", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      source.fail(new TokenException("503", null));
      for (int i = 0; i < 50; i++) {
        cache.get(key); // under backoff: no fetch
      }
      assertThat(source.calls()).isEqualTo(2);
      clock.advance(Duration.ofSeconds(2)); // past the backoff: a new refresh
      cache.get(key);
      executor.runAll();
      source.fail(new TokenException("503", null));
      cache.get(key);
      marker();
      List<Class<?>> kinds = new ArrayList<>();
      TokenEvent e;
      do {
        e = events.next();
        kinds.add(e.getClass());
      } while (!e.source().equals("marker source"));
      assertThat(kinds).containsExactly(TokenEvent.FetchStarted.class, TokenEvent.FetchSucceeded.class,
          TokenEvent.FetchStarted.class, TokenEvent.FetchFailed.class, TokenEvent.RefreshSkipped.class,
          TokenEvent.FetchStarted.class, TokenEvent.FetchFailed.class, TokenEvent.RefreshSkipped.class,
          TokenEvent.FetchStarted.class);
      events.awaitMarkerEnd();
      TokenEvent.RefreshSkipped skipped = events.snapshot().stream().filter(TokenEvent.RefreshSkipped.class::isInstance)
          .map(TokenEvent.RefreshSkipped.class::cast).findFirst().orElseThrow();
      assertThat(skipped.retryAt()).isEqualTo(clock.plus(Duration.ofSeconds(-2)).plus(Duration.ofSeconds(1)));
    }

    @Test
    @DisplayName("no event carries a secret, in any field or in toString")
    void noSecrets() throws Exception {
      cache.addListener(events);
      prime(token("secret-token-1", Duration.ofMinutes(10)));
      clock.advance(Duration.ofMinutes(6));
      cache.get(key);
      executor.runAll();
      source.fail(new IllegalStateException("upstream said secret-token-1 is bad")); // a careless source
      cache.get(key);
      CompletableFuture<AccessToken> f = cache.getAsync(key);
      cache.invalidate(key, cache.peek(key));
      f.join();
      f = cache.getAsync(key);
      executor.runAll();
      source.complete(token("secret-token-2", Duration.ofHours(1)));
      f.join();
      marker();
      events.awaitMarkerEnd();
      assertThat(events.snapshot()).hasSizeGreaterThanOrEqualTo(6);
      for (TokenEvent e : events.snapshot()) {
        assertThat(e.toString()).doesNotContain("secret-token");
        for (RecordComponent c : e.getClass().getRecordComponents()) {
          Object v = c.getAccessor().invoke(e);
          assertThat(String.valueOf(v)).as(c.getName()).doesNotContain("secret-token");
          assertThat(v instanceof Secret || v instanceof AccessToken).as(c.getName()).isFalse();
        }
      }
    }
  }

  @Nested
  @DisplayName("listeners cannot hold up requests")
  class Isolation {
    @Test
    @DisplayName("a listener that blocks: every request completes, events beyond the queue are dropped")
    void blockedListener() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger seen = new AtomicInteger();
      CountDownLatch entered = new CountDownLatch(1);
      cache.addListener(event -> {
        seen.incrementAndGet();
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      int fetches = TokenEvents.CAPACITY; // two events each: twice what the queue holds
      for (int i = 0; i < fetches; i++) {
        TokenKey k = TokenKey.of(source, TokenRequest.forScope("s" + i));
        CompletableFuture<AccessToken> f = cache.getAsync(k);
        executor.runAll();
        source.complete(token("t" + i, Duration.ofHours(1)));
        assertThat(f.join().value().reveal()).isEqualTo("t" + i);
      }
      assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(cache.stats().fetches()).isEqualTo(fetches);
      assertThat(seen.get()).isEqualTo(1); // still stuck in the first event
      release.countDown();
    }

    @Test
    @DisplayName("a listener that throws: requests succeed and the other listeners get every event")
    void throwingListener() throws Exception {
      AtomicInteger thrown = new AtomicInteger();
      cache.addListener(event -> {
        thrown.incrementAndGet();
        throw new IllegalStateException("listener bug");
      });
      cache.addListener(events);
      AccessToken t = prime(token("t1", Duration.ofHours(1)));
      assertThat(t.value().reveal()).isEqualTo("t1");
      marker();
      assertThat(events.next()).isInstanceOf(TokenEvent.FetchStarted.class);
      assertThat(events.next()).isInstanceOf(TokenEvent.FetchSucceeded.class);
      assertThat(events.next().source()).isEqualTo("marker source");
      assertThat(events.next()).isInstanceOf(TokenEvent.FetchSucceeded.class);
      assertThat(thrown.get()).isEqualTo(4);
    }

    @Test
    @DisplayName("a removed listener hears nothing more")
    void removed() throws Exception {
      cache.addListener(events);
      Recorder other = new Recorder();
      cache.addListener(other);
      assertThat(cache.removeListener(other)).isTrue();
      marker();
      events.next();
      events.next();
      assertThat(other.all).isEmpty();
    }
  }

  @Nested
  @DisplayName("through LlmAuth")
  class ThroughLlmAuth {
    /** A method whose credential fetches through the shared cache from a scripted source. */
    private final CredentialMethod cached = new CredentialMethod() {
      @Override
      public String method() {
        return "scripted";
      }

      @Override
      public int priority() {
        return 100;
      }

      @Override
      public Availability availability(ProviderConfig config, ResolutionContext context) {
        return Availability.available("scripted");
      }

      @Override
      public Credential create(ProviderConfig config, ResolutionContext context) {
        TokenCache.Handle tokens = context.tokenCache().bind(TokenKey.of(source, TokenRequest.none()));
        return new Credential() {
          @Override
          public String method() {
            return "scripted";
          }

          @Override
          public TokenUse use() {
            return TokenUse.BEARER;
          }

          @Override
          public String describe() {
            return "scripted credential";
          }

          @Override
          public CompletableFuture<AccessToken> token() {
            return tokens.getAsync();
          }

          @Override
          public boolean invalidate(AccessToken token) {
            return tokens.invalidate(token);
          }
        };
      }
    };

    private LlmAuth auth(TokenCache shared) {
      LlmAuth.Builder b = LlmAuth.builder().config(LlmAuthConfig.of(ProviderConfig.builder("azure").build()))
          .credentialMethods(List.of(cached)).environment(Map.of());
      return shared == null ? b.build() : b.tokenCache(shared).build();
    }

    private final OutgoingRequest request = OutgoingRequest.of("POST", URI.create("https://x.test/v1"), Map.of());

    @Test
    @DisplayName("events name the provider and method; a 401 is reported; adding a listener creates no cache")
    void providerAndRejection() throws Exception {
      try (LlmAuth auth = auth(null)) {
        auth.addListener(events);
        assertThat(auth.createdTokenCache()).isFalse();
        RequestAuthenticator a = auth.authenticator("azure");
        CompletableFuture<Authorization> f = a.authorizeAsync(request);
        source.pending.poll(20, TimeUnit.SECONDS).complete(AccessToken.of(Secret.of("tok-1"),
            Instant.now().plus(Duration.ofHours(1))));
        Authorization first = f.join();
        assertThat(a.invalidate(first)).isTrue();

        TokenEvent.FetchStarted started = events.next(TokenEvent.FetchStarted.class);
        assertThat(started.provider()).isEqualTo("azure");
        assertThat(started.method()).isEqualTo("scripted");
        assertThat(events.next(TokenEvent.FetchSucceeded.class).provider()).isEqualTo("azure");
        TokenEvent.TokenRejected rejected = events.next(TokenEvent.TokenRejected.class);
        assertThat(rejected.provider()).isEqualTo("azure");
        assertThat(rejected.replayable()).isTrue();
        assertThat(rejected.source()).isEqualTo("scripted credential");

        CompletableFuture<Authorization> again = a.authorizeAsync(request);
        source.pending.poll(20, TimeUnit.SECONDS).complete(AccessToken.of(Secret.of("tok-2"),
            Instant.now().plus(Duration.ofHours(1))));
        again.join();
        assertThat(events.next(TokenEvent.FetchStarted.class).reason()).isEqualTo(FetchReason.INVALIDATED);
      }
    }

    @Test
    @DisplayName("with a shared cache, each LlmAuth hears its own providers and the cache's listeners hear all")
    void sharedCache() throws Exception {
      TokenCache shared = TokenCache.builder().build();
      Recorder all = new Recorder();
      shared.addListener(all);
      try (LlmAuth auth = auth(shared)) {
        auth.addListener(events);
        CompletableFuture<Authorization> f = auth.authenticator("azure").authorizeAsync(request);
        source.pending.poll(20, TimeUnit.SECONDS).complete(AccessToken.of(Secret.of("tok-1"),
            Instant.now().plus(Duration.ofHours(1))));
        f.join();
        assertThat(events.next(TokenEvent.FetchStarted.class).provider()).isEqualTo("azure");
        assertThat(all.next(TokenEvent.FetchStarted.class).provider()).isEqualTo("azure");
      } finally {
        shared.close();
      }
    }
  }
}
