package dev.llmauth.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import dev.llmauth.conformance.IssuerFault;
import dev.llmauth.conformance.ScriptedMethod;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("LlmAuthMetrics")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class LlmAuthMetricsTest {
  private static final OutgoingRequest REQUEST = OutgoingRequest.of("POST",
      URI.create("http://127.0.0.1:9/v1/chat/completions"), Map.of());

  private final ScriptedMethod fixture = new ScriptedMethod();
  private final LlmAuth auth = LlmAuth.builder()
      .config(LlmAuthConfig.of(ProviderConfig.builder("azure").baseUrl("http://127.0.0.1:9/v1").build()))
      .credentialMethods(List.of(fixture.credentialProvider())).environment(Map.of()).build();
  private final MockClock clock = new MockClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final LlmAuthMetrics metrics = LlmAuthMetrics.of(auth);
  /** Registered after the binder: once it has an event, so has the binder. */
  private final LinkedBlockingQueue<TokenEvent> seen = new LinkedBlockingQueue<>();

  @AfterEach
  void close() {
    metrics.close();
    auth.close();
    fixture.close();
  }

  private RequestAuthenticator bound() {
    metrics.bindTo(registry);
    auth.addListener(seen::add);
    return auth.authenticator("azure");
  }

  private <T extends TokenEvent> T await(Class<T> type) throws InterruptedException {
    while (true) {
      TokenEvent e = seen.poll(30, TimeUnit.SECONDS);
      assertThat(e).as("an event of type " + type.getSimpleName()).isNotNull();
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
  }

  private Timer fetchTimer(String reason, String outcome) {
    return registry.get(LlmAuthMetrics.FETCH).tags("provider", "azure", "method", "scripted", "reason", reason,
        "outcome", outcome).timer();
  }

  @Test
  @DisplayName("a fetch is timed with provider, method, reason and outcome, and the expiry gauge counts down")
  void fetchAndExpiry() throws Exception {
    RequestAuthenticator a = bound();
    a.authorize(REQUEST);
    TokenEvent.FetchSucceeded ok = await(TokenEvent.FetchSucceeded.class);

    Timer t = fetchTimer("initial", "success");
    assertThat(t.count()).isEqualTo(1);
    assertThat(t.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(ok.duration().toMillis());
    Gauge expiry = registry.get(LlmAuthMetrics.EXPIRY).tags("provider", "azure", "method", "scripted").gauge();
    double expected = (ok.expiresAt().toEpochMilli() - clock.wallTime()) / 1000.0;
    assertThat(expiry.value()).isEqualTo(expected);
    clock.add(Duration.ofMinutes(10));
    assertThat(expiry.value()).isEqualTo(expected - 600);
    assertThat(expiry.getId().getBaseUnit()).isEqualTo("seconds");
    assertThat(expiry.getId().getDescription()).isNotBlank();
  }

  @Test
  @DisplayName("cached tokens are not measured: many requests, one fetch")
  void hitsAreNotMeasured() throws Exception {
    RequestAuthenticator a = bound();
    Authorization first = a.authorize(REQUEST);
    for (int i = 0; i < 500; i++) {
      a.authorize(REQUEST);
    }
    a.invalidate(first);
    await(TokenEvent.TokenRejected.class); // after every earlier event
    assertThat(registry.get(LlmAuthMetrics.FETCH).timers()).hasSize(1);
    assertThat(fetchTimer("initial", "success").count()).isEqualTo(1);
  }

  @Test
  @DisplayName("a failure counts by error code and times the fetch with outcome failure")
  void failure() throws Exception {
    RequestAuthenticator a = bound();
    fixture.failIssuer();
    assertThatThrownBy(() -> a.authorize(REQUEST)).isInstanceOf(AuthException.class);
    await(TokenEvent.FetchFailed.class);
    assertThat(registry.get(LlmAuthMetrics.FAILURES).tags("provider", "azure", "method", "scripted", "code",
        AuthException.TOKEN_UNAVAILABLE, "permanent", "false").counter().count()).isEqualTo(1);
    assertThat(fetchTimer("initial", "failure").count()).isEqualTo(1);
    assertThat(registry.find(LlmAuthMetrics.EXPIRY).gauges()).as("no token, no expiry gauge").isEmpty();
  }

  @Test
  @DisplayName("a permanent failure is tagged permanent")
  void permanentFailure() throws Exception {
    RequestAuthenticator a = bound();
    fixture.injectFault(IssuerFault.REJECTED);
    assertThatThrownBy(() -> a.authorize(REQUEST)).isInstanceOf(AuthException.class);
    await(TokenEvent.FetchFailed.class);
    assertThat(registry.get(LlmAuthMetrics.FAILURES).tags("permanent", "true").counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("a 401 counts as rejected, and the fetch after it has reason invalidated")
  void rejected() throws Exception {
    RequestAuthenticator a = bound();
    a.invalidate(a.authorize(REQUEST));
    a.authorize(REQUEST);
    await(TokenEvent.TokenRejected.class);
    await(TokenEvent.FetchSucceeded.class);
    assertThat(registry.get(LlmAuthMetrics.REJECTED).tags("provider", "azure").counter().count()).isEqualTo(1);
    assertThat(fetchTimer("invalidated", "success").count()).isEqualTo(1);
  }

  @Test
  @DisplayName("a registry bound later gets the expiry gauges of tokens fetched before")
  void secondRegistry() throws Exception {
    RequestAuthenticator a = bound();
    a.authorize(REQUEST);
    await(TokenEvent.FetchSucceeded.class);
    SimpleMeterRegistry later = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    metrics.bindTo(later);
    assertThat(later.get(LlmAuthMetrics.EXPIRY).tags("provider", "azure").gauge().value()).isPositive();
  }

  @Test
  @DisplayName("after close, nothing more is recorded")
  void closed() throws Exception {
    RequestAuthenticator a = bound();
    a.invalidate(a.authorize(REQUEST));
    await(TokenEvent.TokenRejected.class);
    metrics.close();
    a.invalidate(a.authorize(REQUEST));
    await(TokenEvent.TokenRejected.class);
    assertThat(registry.get(LlmAuthMetrics.REJECTED).counter().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("bound to a token cache: the provider of a key made outside LlmAuth is unknown")
  void cacheBinder() throws Exception {
    try (TokenCache cache = TokenCache.builder().build(); LlmAuthMetrics m = LlmAuthMetrics.of(cache)) {
      m.bindTo(registry);
      cache.addListener(seen::add);
      TokenSource source = TokenSource.blocking((request, reason) -> dev.llmauth.api.AccessToken.of(
          dev.llmauth.api.Secret.of("t"), Instant.now().plus(Duration.ofHours(1))), "a test source");
      cache.get(TokenKey.of(source, TokenRequest.none()));
      await(TokenEvent.FetchSucceeded.class);
      List<Meter> meters = List.copyOf(registry.get(LlmAuthMetrics.FETCH).meters());
      assertThat(meters).hasSize(1);
      assertThat(meters.get(0).getId().getTag("provider")).isEqualTo("unknown");
    }
  }
}
