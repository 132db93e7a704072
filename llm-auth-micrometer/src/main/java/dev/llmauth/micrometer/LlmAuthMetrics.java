package dev.llmauth.micrometer;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.TokenListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Binds llm-auth's token events to Micrometer meters. Nothing is measured on the request path: the meters are
 * updated from the {@link TokenListener} delivery thread, and a cached token hit emits no event.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@value #FETCH}</td><td>timer</td><td>provider, method, reason, outcome</td>
 *       <td>token fetches and how long they took; outcome {@code success} or {@code failure}</td></tr>
 *   <tr><td>{@value #FAILURES}</td><td>counter</td><td>provider, method, code, permanent</td>
 *       <td>failed fetches by error code</td></tr>
 *   <tr><td>{@value #EXPIRY}</td><td>gauge (seconds)</td><td>provider, method</td>
 *       <td>time until the provider's last fetched token expires; negative once it has</td></tr>
 *   <tr><td>{@value #REJECTED}</td><td>counter</td><td>provider, method</td>
 *       <td>credentials a server rejected with HTTP 401</td></tr>
 *   <tr><td>{@value #SKIPPED}</td><td>counter</td><td>provider, method</td>
 *       <td>refreshes that waited for the backoff after a failure</td></tr>
 * </table>
 *
 * <p>A provider tag is {@code unknown} for a token key created outside {@link LlmAuth}.
 *
 * <pre>{@code
 * LlmAuthMetrics.of(auth).bindTo(registry);
 * }</pre>
 */
public final class LlmAuthMetrics implements MeterBinder, AutoCloseable {
  /** Timer of token fetches. */
  public static final String FETCH = "llmauth.token.fetch";
  /** Counter of failed token fetches. */
  public static final String FAILURES = "llmauth.token.fetch.failures";
  /** Gauge of the seconds until each provider's current token expires. */
  public static final String EXPIRY = "llmauth.token.expiry";
  /** Counter of credentials rejected with HTTP 401. */
  public static final String REJECTED = "llmauth.token.rejected";
  /** Counter of refreshes skipped under backoff. */
  public static final String SKIPPED = "llmauth.token.refresh.skipped";

  /** Tag: the provider's name. */
  public static final String TAG_PROVIDER = "provider";
  /** Tag: the method id, such as {@code entra}. */
  public static final String TAG_METHOD = "method";
  /** Tag: why the token was fetched, {@code initial}, {@code refresh_ahead}, {@code expired} or {@code invalidated}. */
  public static final String TAG_REASON = "reason";
  /** Tag: {@code success} or {@code failure}. */
  public static final String TAG_OUTCOME = "outcome";
  /** Tag: the error code, such as {@code token_unavailable}. */
  public static final String TAG_CODE = "code";
  /** Tag: whether a failure is permanent, {@code true} or {@code false}. */
  public static final String TAG_PERMANENT = "permanent";

  private static final String UNKNOWN = "unknown";

  private final Consumer<TokenListener> subscribe;
  private final Function<TokenListener, Boolean> unsubscribe;
  private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
  /** Per provider and method: the expiry of the last fetched token, in epoch milliseconds. */
  private final Map<Tags, AtomicLong> expiries = new ConcurrentHashMap<>();
  private final TokenListener listener = this::record;
  private boolean subscribed;

  private LlmAuthMetrics(Consumer<TokenListener> subscribe, Function<TokenListener, Boolean> unsubscribe) {
    this.subscribe = subscribe;
    this.unsubscribe = unsubscribe;
  }

  /**
   * Metrics for the providers of one {@link LlmAuth}, including 401s.
   *
   * @param auth the instance
   * @return the binder; it listens from the first {@link #bindTo}
   */
  public static LlmAuthMetrics of(LlmAuth auth) {
    Objects.requireNonNull(auth, "auth");
    return new LlmAuthMetrics(auth::addListener, auth::removeListener);
  }

  /**
   * Metrics for every key of one {@link TokenCache}; 401s are reported by {@link LlmAuth} only.
   *
   * @param cache the cache
   * @return the binder; it listens from the first {@link #bindTo}
   */
  public static LlmAuthMetrics of(TokenCache cache) {
    Objects.requireNonNull(cache, "cache");
    return new LlmAuthMetrics(cache::addListener, cache::removeListener);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    registries.add(registry);
    expiries.forEach((tags, expiry) -> expiryGauge(registry, tags, expiry));
    synchronized (this) {
      if (!subscribed) {
        subscribed = true;
        subscribe.accept(listener);
      }
    }
  }

  /** Stops listening; the meters stay in their registries with their last values. */
  @Override
  public void close() {
    synchronized (this) {
      if (subscribed) {
        subscribed = false;
        unsubscribe.apply(listener);
      }
    }
  }

  private void record(TokenEvent event) {
    Tags who = Tags.of(TAG_PROVIDER, tag(event.provider()), TAG_METHOD, tag(event.method()));
    if (event instanceof TokenEvent.FetchSucceeded ok) {
      Tags tags = who.and(TAG_REASON, reason(ok.reason()), TAG_OUTCOME, "success");
      for (MeterRegistry r : registries) {
        fetchTimer(r, tags).record(ok.duration());
      }
      AtomicLong expiry = expiries.computeIfAbsent(who, t -> {
        AtomicLong fresh = new AtomicLong(ok.expiresAt().toEpochMilli());
        registries.forEach(r -> expiryGauge(r, t, fresh));
        return fresh;
      });
      expiry.set(ok.expiresAt().toEpochMilli());
    } else if (event instanceof TokenEvent.FetchFailed failed) {
      Tags tags = who.and(TAG_REASON, reason(failed.reason()), TAG_OUTCOME, "failure");
      Tags codes = who.and(TAG_CODE, failed.errorCode(), TAG_PERMANENT, Boolean.toString(failed.permanent()));
      for (MeterRegistry r : registries) {
        fetchTimer(r, tags).record(failed.duration());
        Counter.builder(FAILURES).description("Token fetches that failed, by error code").tags(codes)
            .register(r).increment();
      }
    } else if (event instanceof TokenEvent.TokenRejected) {
      for (MeterRegistry r : registries) {
        Counter.builder(REJECTED).description("Credentials a server rejected with HTTP 401").tags(who)
            .register(r).increment();
      }
    } else if (event instanceof TokenEvent.RefreshSkipped) {
      for (MeterRegistry r : registries) {
        Counter.builder(SKIPPED).description("Token refreshes that waited for the backoff after a failure")
            .tags(who).register(r).increment();
      }
    }
  }

  private static Timer fetchTimer(MeterRegistry r, Tags tags) {
    return Timer.builder(FETCH).description("Token fetches from an issuer, by outcome").tags(tags).register(r);
  }

  private static void expiryGauge(MeterRegistry r, Tags tags, AtomicLong expiresAtMillis) {
    Gauge.builder(EXPIRY, expiresAtMillis, e -> (e.get() - r.config().clock().wallTime()) / 1000.0)
        .description("Seconds until the provider's current token expires").baseUnit("seconds").tags(tags)
        .strongReference(true).register(r);
  }

  private static String reason(Enum<?> reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String tag(@Nullable String value) {
    return value == null ? UNKNOWN : value;
  }
}
