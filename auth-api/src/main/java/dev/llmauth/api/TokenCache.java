package dev.llmauth.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.RetryAfter;
import dev.llmauth.api.spi.TokenSource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory cache of tokens that fetches lazily, refreshes ahead of expiry and never makes a caller wait
 * while a usable token exists.
 *
 * <p>For each {@link TokenKey} (source, scopes, identity):
 *
 * <ul>
 *   <li>Nothing is fetched until the first {@link #get} or {@link #getAsync}.
 *   <li>A token is <em>fresh</em> until its {@code refreshAt} (when the source names one) or until {@link
 *       Builder#refreshAhead(Duration)} before expiry (5 minutes by default). A token that lives less than twice
 *       that window and names no {@code refreshAt} is fresh for the first half of the life it had when it arrived,
 *       so short-lived tokens (a few minutes) are refreshed once per half-life, not on every request. Either way a
 *       token that a refresh (not the key's first fetch) brought stays fresh for at least {@link
 *       Builder#minimumRefreshInterval(Duration)} after it arrived (30 seconds by default), while it is usable: one
 *       key never starts refreshes ahead more often than that. A fresh token is returned without a lock or an
 *       allocation.
 *   <li>An expiry further ahead than {@link Builder#maximumTokenLifetime(Duration)} (24 hours by default) is not
 *       trusted: the token is treated as expiring that long after it arrived, and the cache logs (without the
 *       token) that the cap applied. A value that says it never expires ({@link AccessToken#nonExpiring}, a static
 *       key) is kept as it is.
 *   <li>A token is <em>usable</em> until {@link Builder#expiryMargin(Duration)} before expiry (30 seconds by
 *       default). Between fresh and unusable, callers get the cached token at once and one background fetch
 *       ({@link FetchReason#REFRESH_AHEAD}) replaces it. When that fetch fails, the cached token keeps serving and
 *       the fetch is retried with full-jitter exponential backoff (1 s doubling up to 30 s, or the source's
 *       {@link TokenException#retryAfter()} when longer, capped at one hour; a negative hint is ignored); a
 *       {@linkplain TokenException#isPermanent() permanent} failure is not retried while the token stays usable.
 *       Whatever a source returns or throws, its fetch ends: the next caller without a usable token starts a new
 *       one.
 *   <li>Without a usable token, callers wait for one shared fetch (single flight), and all of them get its
 *       result or its failure. A freshly fetched token always serves the callers that waited for it, even when
 *       its whole lifetime is shorter than the margins.
 *   <li>{@link #invalidate} drops the entry only while it still holds the rejected token, so many 401s for one
 *       token cause one fetch ({@link FetchReason#INVALIDATED}). A fetch that was already running when the token
 *       was rejected (a refresh ahead, not forced past the source's own cache) and brings the rejected token back
 *       is followed at once by an {@link FetchReason#INVALIDATED} fetch: neither its waiters nor later callers get
 *       the rejected token from it.
 *   <li>A caller's cancellation, interrupt or timeout ends its own wait, never the shared fetch.
 * </ul>
 *
 * <p>The cache is bounded ({@link Builder#maximumSize(long)}) and thread-safe. The clock and the executor that
 * runs fetches are injectable, so tests can use a fake clock and never sleep. By default a hit reads the system
 * clock as sampled every 16 ms by one daemon thread (started on first use), which keeps system calls off the hot
 * path, but only while the token is fresh and more than a minute of usable life remains: there the sample decides
 * nothing but "still fresh". Every other decision (fresh or not in the last minute before the margin, usable or
 * not, when to retry) reads the system clock itself, so a sampler starved for up to a minute can delay a refresh
 * but never hand out a token inside the margin.
 *
 * <p>A credential binds its key once, when it is created, and keeps the {@link Handle}: the handle reaches its
 * entry without a map lookup, so a hit is a few field reads. The methods that take a {@link TokenKey} look the
 * entry up on every call.
 *
 * <pre>{@code
 * TokenCache cache = TokenCache.builder().build();
 * TokenCache.Handle tokens = cache.bind(
 *     TokenKey.of(source, TokenRequest.forScope("https://cognitiveservices.azure.com/.default")));
 * String bearer = tokens.get().value().reveal();
 * }</pre>
 */
public final class TokenCache implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TokenCache.class.getName());
  /** The longest a retry hint from a source can delay a refresh. */
  static final long MAX_RETRY_AFTER_MILLIS = RetryAfter.MAXIMUM.toMillis();
  /**
   * How long before the end of a token's usable life the cache stops trusting the sampled clock: a sampler that
   * lags by less than this cannot make the cache hand out a token inside the margin.
   */
  static final long SAMPLED_CLOCK_TRUST_MILLIS = Duration.ofMinutes(1).toMillis();

  private final Cache<TokenKey, Entry> entries;
  private final InstantSource clock;
  /** The clock for decisions near expiry: the system clock when {@link #clock} is the coarse default. */
  private final InstantSource preciseClock;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private final RandomGenerator random;
  private final long refreshAheadMillis;
  private final long expiryMarginMillis;
  private final long backoffMinMillis;
  private final long backoffMaxMillis;
  private final long fetchTimeoutMillis;
  private final long maximumLifetimeMillis;
  private final long minimumRefreshIntervalMillis;
  private final LongAdder fetches = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final TokenEvents events;
  private volatile boolean closed;

  private TokenCache(Builder b) {
    this.clock = b.clock;
    this.preciseClock = b.preciseClock != null ? b.preciseClock
        : b.clock == CoarseClock.INSTANCE ? InstantSource.system() : b.clock;
    if (b.executor != null) {
      this.executor = b.executor;
      this.ownedExecutor = null;
    } else {
      ExecutorService pool = Executors.newCachedThreadPool(new DaemonThreads());
      this.executor = pool;
      this.ownedExecutor = pool;
    }
    this.random = b.random;
    this.refreshAheadMillis = saturatedMillis(b.refreshAhead);
    this.expiryMarginMillis = saturatedMillis(b.expiryMargin);
    this.backoffMinMillis = saturatedMillis(b.backoffMin);
    this.backoffMaxMillis = saturatedMillis(b.backoffMax);
    this.fetchTimeoutMillis = saturatedMillis(b.fetchTimeout);
    this.maximumLifetimeMillis = saturatedMillis(b.maximumTokenLifetime);
    this.minimumRefreshIntervalMillis = saturatedMillis(b.minimumRefreshInterval);
    this.events = b.events != null ? b.events : new TokenEvents("llm-auth-token-events");
    this.entries = Caffeine.newBuilder()
        .maximumSize(b.maximumSize)
        .executor(Runnable::run)
        .<TokenKey, Entry>removalListener((key, entry, cause) -> {
          if (entry != null) {
            entry.evicted = true;
          }
        })
        .build();
  }

  /** @return a builder with the defaults described on this class */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds {@code key} to this cache: the handle reaches the key's entry without a map lookup, and when the cache
   * has evicted that entry ({@link Builder#maximumSize(long)}) it looks the key up again. Bind once, when the
   * credential is created, and keep the handle; handles of equal keys share one entry. Binding fetches nothing.
   *
   * @param key the source and request
   * @return the handle
   */
  public Handle bind(TokenKey key) {
    return new Handle(this, Objects.requireNonNull(key, "key"), CREATING.get());
  }

  /**
   * Returns a usable token for {@code key}, waiting for a fetch only when no usable token is cached.
   *
   * @param key the source and request
   * @return a token that is usable now, or that was just fetched for this call
   * @throws TokenException when the fetch failed, or the thread was interrupted while waiting (the interrupt
   *     flag is then set again)
   */
  public AccessToken get(TokenKey key) {
    return get(lookup(key, null), null);
  }

  /**
   * Like {@link #get(TokenKey)}, but gives up waiting after {@code timeout}.
   *
   * @param key the source and request
   * @param timeout how long to wait for a fetch
   * @return a usable token
   * @throws TokenException when the fetch failed or the wait timed out or was interrupted
   */
  public AccessToken get(TokenKey key, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    return get(lookup(key, null), timeout);
  }

  private AccessToken get(Entry e, @Nullable Duration timeout) {
    AccessToken usable = usable(e);
    return usable != null ? usable : await(joinOrStart(e), timeout);
  }

  /**
   * Returns a future of a usable token. The future is the caller's own: cancelling it or letting it time out
   * ends this caller's wait and never the shared fetch.
   *
   * @param key the source and request
   * @return a future that completes with a usable token or fails with a {@link TokenException}
   */
  public CompletableFuture<AccessToken> getAsync(TokenKey key) {
    return getAsync(lookup(key, null));
  }

  private CompletableFuture<AccessToken> getAsync(Entry e) {
    AccessToken usable = usable(e);
    if (usable != null) {
      return CompletableFuture.completedFuture(usable);
    }
    CompletableFuture<AccessToken> shared = joinOrStart(e);
    CompletableFuture<AccessToken> mine = new CompletableFuture<>();
    shared.whenComplete((token, failure) -> {
      if (failure != null) {
        mine.completeExceptionally(Futures.unwrap(failure));
      } else {
        mine.complete(token);
      }
    });
    return mine;
  }

  /**
   * Returns the cached token for {@code key} when it is usable, without waiting for a fetch; {@code null} when a
   * caller would have to wait. Like a hit of {@link #get(TokenKey)}, it starts a background refresh once the token
   * is no longer fresh. {@link Handle#getIfUsable()} does the same without the map lookup.
   *
   * @param key the source and request
   * @return the usable token, or {@code null}
   */
  public @Nullable AccessToken getIfUsable(TokenKey key) {
    return usable(lookup(key, null));
  }

  /**
   * Drops the cached token for {@code key} if, and only if, it is still {@code rejected}; the next caller then
   * fetches with {@link FetchReason#INVALIDATED}. Calling this for a token that was already replaced does
   * nothing, so many rejections of one token cause one fetch.
   *
   * @param key the source and request
   * @param rejected the token the server rejected
   * @return whether the entry was dropped by this call
   */
  public boolean invalidate(TokenKey key, AccessToken rejected) {
    Entry e = entries.getIfPresent(key);
    if (e == null) {
      return false;
    }
    while (true) {
      Snapshot s = e.current;
      if (s == null || !s.token.value().equals(rejected.value())) {
        return false;
      }
      // Recorded before the snapshot goes: a fetch completing from now on either sees the rejection (and does not
      // install or hand out the rejected token) or installs its token before our compare-and-set, which then
      // fails and looks again (accept installs by compare-and-set too).
      e.rejected = s.token.value();
      if (CURRENT.compareAndSet(e, s, null)) {
        return true;
      }
    }
  }

  /**
   * Returns the token cached for {@code key} without fetching, whether or not it is still usable.
   *
   * @param key the source and request
   * @return the cached token, or {@code null}
   */
  public @Nullable AccessToken peek(TokenKey key) {
    Entry e = entries.getIfPresent(key);
    Snapshot s = e == null ? null : e.current;
    return s == null ? null : s.token;
  }

  /**
   * Adds a listener for the events of every key in this cache: fetches started, succeeded and failed, refreshes
   * skipped under backoff. {@link LlmAuth#addListener} also reports 401s and names the provider of each event.
   *
   * @param listener the listener, called on the cache's event thread, never on a caller's
   */
  public void addListener(TokenListener listener) {
    events.add(listener);
  }

  /**
   * Removes a listener added with {@link #addListener}.
   *
   * @param listener the listener
   * @return whether it was registered
   */
  public boolean removeListener(TokenListener listener) {
    return events.remove(listener);
  }

  /** @return counts of what this cache has done so far */
  public Stats stats() {
    entries.cleanUp();
    return new Stats(fetches.sum(), failures.sum(), entries.estimatedSize());
  }

  /**
   * Stops the cache: running fetches are cancelled, waiting callers fail, later fetches fail at once, and the
   * cache's own fetch threads (if it created them) stop.
   */
  @Override
  public void close() {
    closed = true;
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    entries.asMap().values().forEach(e -> {
      CompletableFuture<AccessToken> f = e.inFlight;
      if (f != null) {
        f.completeExceptionally(new TokenException("the token cache was closed", null));
      }
      CompletableFuture<AccessToken> running = e.running;
      if (running != null) {
        running.cancel(true);
      }
    });
    entries.invalidateAll();
    events.close();
  }

  /**
   * What a cache has done: how many fetches it started, how many of them failed, and how many entries it holds.
   *
   * @param fetches fetches started, including refreshes ahead of expiry
   * @param failures fetches that failed
   * @param entries entries held now (an estimate)
   */
  public record Stats(long fetches, long failures, long entries) {}

  /**
   * The entry of a key, created when absent. The first handle with an origin to reach an entry names its provider;
   * a key looked up outside a handle names none.
   */
  private Entry lookup(TokenKey key, @Nullable Origin origin) {
    Entry e = entries.get(key, Entry::new);
    if (origin != null && e.origin == null) {
      e.origin = origin;
    }
    return e;
  }

  private void startRefreshAhead(Entry e, long now) {
    if (now < e.retryNotBefore && e.inFlight == null) {
      skipped(e, now);
    }
    if (e.inFlight != null || now < e.retryNotBefore) {
      return;
    }
    CompletableFuture<AccessToken> f = new CompletableFuture<>();
    if (IN_FLIGHT.compareAndSet(e, null, f)) {
      launch(e, f, FetchReason.REFRESH_AHEAD);
    }
  }

  /**
   * The hot path: the cached token while it is usable, starting a background refresh once it is no longer fresh;
   * {@code null} when the caller has to wait for a fetch.
   */
  private @Nullable AccessToken usable(Entry e) {
    Snapshot s = e.current;
    if (s == null) {
      return null;
    }
    // The sampled clock only answers "fresh, and far from the margin": its sampler may lag when the machine is
    // starved of CPU, so it is trusted only until SAMPLED_CLOCK_TRUST_MILLIS before the end of the usable life.
    if (clock.millis() < s.sampledUntil) {
      return s.token;
    }
    long now = preciseClock.millis();
    if (now < s.refreshAt) {
      return s.token;
    }
    if (now < s.usableUntil) {
      startRefreshAhead(e, now);
      return s.token;
    }
    return null;
  }

  private CompletableFuture<AccessToken> joinOrStart(Entry e) {
    FetchReason reason = e.current == null ? FetchReason.INITIAL : FetchReason.EXPIRED;
    while (true) {
      CompletableFuture<AccessToken> f = e.inFlight;
      if (f != null) {
        return f;
      }
      // A fetch may have completed between our read of the snapshot and our read of inFlight: it installs the
      // new snapshot before clearing inFlight, so a second look settles it.
      Snapshot s = e.current;
      if (s != null && preciseClock.millis() < s.usableUntil) {
        return CompletableFuture.completedFuture(s.token);
      }
      CompletableFuture<AccessToken> mine = new CompletableFuture<>();
      if (IN_FLIGHT.compareAndSet(e, null, mine)) {
        launch(e, mine, e.rejected != null ? FetchReason.INVALIDATED : reason);
        return mine;
      }
    }
  }

  private void launch(Entry e, CompletableFuture<AccessToken> shared, FetchReason reason) {
    fetches.increment();
    TokenKey key = e.key;
    if (observed(e)) {
      started(e, reason);
    }
    Runnable fetch = () -> {
      try {
        CompletionStage<AccessToken> stage;
        try {
          stage = Objects.requireNonNull(key.source().fetch(key.request(), reason), "TokenSource returned null");
        } catch (Throwable t) {
          stage = CompletableFuture.failedFuture(t);
        }
        CompletableFuture<AccessToken> running = stage.toCompletableFuture();
        e.running = running;
        running.orTimeout(fetchTimeoutMillis, TimeUnit.MILLISECONDS)
            .whenComplete((token, failure) -> complete(e, shared, reason, token, failure));
      } catch (Throwable t) {
        // A stage whose own methods throw (a third-party CompletionStage) must still end this fetch.
        complete(e, shared, reason, null, t);
      }
    };
    if (closed) {
      complete(e, shared, reason, null, new TokenException("the token cache is closed", null));
      return;
    }
    try {
      executor.execute(fetch);
    } catch (RejectedExecutionException rejected) {
      complete(e, shared, reason, null, rejected);
    }
  }

  /**
   * Ends a fetch: installs its token or records its failure, then clears {@code inFlight} and completes the shared
   * future. Nothing a source returns or throws can leave {@code inFlight} set: whatever goes wrong while the
   * outcome is worked out becomes the fetch's failure. A fetch that brings back a token rejected while it ran is
   * not the end: the same shared future, still in flight, waits for an {@link FetchReason#INVALIDATED} fetch.
   */
  private void complete(
      Entry e,
      CompletableFuture<AccessToken> shared,
      FetchReason reason,
      @Nullable AccessToken token,
      @Nullable Throwable failure) {
    Throwable outcome = failure;
    try {
      if (failure != null) {
        outcome = reject(e, failure);
      } else if (!accept(e, reason, token)) {
        // The token was rejected while this fetch ran: the shared future stays in flight for a forced fetch.
        ended(e, reason, token, null);
        launch(e, shared, FetchReason.INVALIDATED);
        return;
      }
    } catch (Throwable unexpected) {
      outcome = unexpected;
    }
    IN_FLIGHT.compareAndSet(e, shared, null);
    if (outcome == null && token != null) {
      ended(e, reason, token, null);
      shared.complete(token);
    } else {
      TokenException error = outcome instanceof TokenException te ? te
          : new TokenException(describe(e.key) + " failed: " + (outcome == null ? "no token"
              : outcome.getClass().getSimpleName() + "; see the cause for details"), outcome);
      ended(e, reason, null, error);
      shared.completeExceptionally(error);
    }
  }

  /**
   * Installs a fetched token. Returns {@code false}, installing nothing, for a fetch that was not forced past the
   * source's own cache and brought back the token the server rejected while it ran (a refresh ahead that started
   * before the 401): it must be fetched again, forced. Throws the failure when the token cannot be used.
   */
  private boolean accept(Entry e, FetchReason reason, @Nullable AccessToken token) {
    long now = preciseClock.millis();
    if (token == null) {
      throw reject(e, new TokenException(describe(e.key) + " returned no token", null));
    }
    long expiresAt = millis(token.expiresAt());
    if (expiresAt <= now) {
      throw reject(e, new TokenException(describe(e.key) + " returned a token that expired at "
          + token.expiresAt() + ", before it arrived; check this machine's clock against the issuer's", null));
    }
    Snapshot fresh = null;
    while (true) {
      // current before rejected: invalidate records the rejection before it drops the snapshot, so once the
      // snapshot is gone its rejection is in view here; and the compare-and-set below fails if invalidate drops
      // the snapshot after this read.
      Snapshot previous = e.current;
      Secret rejected = e.rejected;
      if (rejected != null && rejected.equals(token.value()) && reason != FetchReason.INVALIDATED) {
        return false;
      }
      // A forced fetch is trusted even when it brings the rejected token (the issuer may hand it out again).
      if (fresh == null) {
        fresh = snapshot(e.key, reason, token, now, expiresAt);
      }
      if (CURRENT.compareAndSet(e, previous, fresh)) {
        if (rejected != null) {
          // Only the rejection read above: one recorded since is about the token just installed and must stay.
          REJECTED.compareAndSet(e, rejected, null);
        }
        break;
      }
    }
    e.attempts = 0;
    e.retryNotBefore = 0;
    return true;
  }

  /** Records a failed fetch and sets when a refresh of a still-usable token may be tried again. */
  private TokenException reject(Entry e, Throwable failure) {
    failures.increment();
    TokenException error = toTokenException(e.key, failure);
    Snapshot s = e.current;
    long now = preciseClock.millis();
    if (s != null && now < s.usableUntil) {
      e.retryNotBefore = error.isPermanent() ? s.usableUntil
          : saturatedPlus(now, backoff(++e.attempts, error.retryAfter()));
      LOG.log(System.Logger.Level.WARNING, "Refreshing a token from {0} failed; the current token stays in use: {1}",
          describe(e.key), error.getMessage());
    }
    return error;
  }

  /** @return whether anyone listens to events about {@code e}: this cache's listeners or its LlmAuth's */
  private boolean observed(Entry e) {
    Origin o = e.origin;
    return events.active() || o != null && o.events() != events && o.events().active();
  }

  private void publish(Entry e, TokenEvent event) {
    events.publish(event);
    Origin o = e.origin;
    if (o != null && o.events() != events) {
      o.events().publish(event);
    }
  }

  private void started(Entry e, FetchReason reason) {
    long now = preciseClock.millis();
    e.observedSince = now;
    Origin o = e.origin;
    publish(e, new TokenEvent.FetchStarted(o == null ? null : o.provider(), o == null ? null : o.method(),
        describe(e.key), Instant.ofEpochMilli(now), reason));
  }

  /** Reports a fetch's outcome before its waiters see it, so that events follow the order of what happened. */
  private void ended(Entry e, FetchReason reason, @Nullable AccessToken token, @Nullable TokenException error) {
    try {
      report(e, reason, token, error);
    } catch (RuntimeException unexpected) {
      // Reporting must never keep a fetch from ending.
      LOG.log(System.Logger.Level.WARNING, "Could not report the end of a fetch from {0}: {1}", describe(e.key),
          unexpected.getClass().getName());
    }
  }

  private void report(Entry e, FetchReason reason, @Nullable AccessToken token, @Nullable TokenException error) {
    long start = e.observedSince;
    e.observedSince = Long.MIN_VALUE;
    if (start == Long.MIN_VALUE || !observed(e)) {
      return; // nobody heard it start
    }
    long end = preciseClock.millis();
    Origin o = e.origin;
    String provider = o == null ? null : o.provider();
    String method = o == null ? null : o.method();
    Instant at = Instant.ofEpochMilli(end);
    Duration took = Duration.ofMillis(Math.max(0, end - start));
    if (error == null) {
      publish(e, new TokenEvent.FetchSucceeded(provider, method, describe(e.key), at, reason, took,
          Objects.requireNonNull(token).expiresAt()));
      return;
    }
    Snapshot s = e.current;
    long retry = e.retryNotBefore;
    boolean retries = !error.isPermanent() && s != null && end < s.usableUntil && retry > end;
    Instant next = retries ? Instant.ofEpochMilli(retry) : null;
    publish(e, new TokenEvent.FetchFailed(provider, method, describe(e.key), at, reason, took, error.code(),
        error.isPermanent(), String.valueOf(error.getMessage()), next));
  }

  /** Reports, once per backoff period, that a due refresh waits for the backoff to end. */
  private void skipped(Entry e, long now) {
    long retry = e.retryNotBefore;
    if (e.skipReportedFor == retry || !observed(e)) {
      return;
    }
    e.skipReportedFor = retry;
    Origin o = e.origin;
    publish(e, new TokenEvent.RefreshSkipped(o == null ? null : o.provider(), o == null ? null : o.method(),
        describe(e.key), Instant.ofEpochMilli(now), Instant.ofEpochMilli(retry)));
  }

  /** The delay before retry {@code attempt}: full jitter under the ceiling, or the source's hint when longer. */
  private long backoff(int attempt, @Nullable Duration retryAfter) {
    long ceiling = backoffMinMillis << Math.min(Math.max(attempt, 1) - 1, 30);
    if (ceiling <= 0 || ceiling > backoffMaxMillis) {
      ceiling = backoffMaxMillis;
    }
    long delay = random.nextLong(ceiling + 1);
    return Math.max(delay, retryAfterMillis(retryAfter));
  }

  /** A source's retry hint in milliseconds, between 0 (none, or negative) and one hour. */
  static long retryAfterMillis(@Nullable Duration retryAfter) {
    if (retryAfter == null || retryAfter.isNegative()) {
      return 0;
    }
    return Math.min(saturatedMillis(retryAfter), MAX_RETRY_AFTER_MILLIS);
  }

  /**
   * The thresholds of a token that arrived at {@code now}: usable until the margin before its (capped) expiry;
   * fresh until its refresh point, which is its own {@code refreshAt}, else the refresh window before expiry, but
   * no earlier than half its life when that life is short, never after the end of its usable life, and, unless it
   * came from the key's first fetch, never sooner than the minimum refresh interval after it arrived: a source
   * whose tokens are always due makes one refresh ahead per interval, not one per request.
   */
  private Snapshot snapshot(TokenKey key, FetchReason reason, AccessToken token, long now, long claimedExpiry) {
    long expiresAt = claimedExpiry;
    long cap = saturatedPlus(now, maximumLifetimeMillis);
    if (expiresAt > cap && token.expires()) {
      expiresAt = cap;
      LOG.log(System.Logger.Level.WARNING, "{0} returned a token that claims to expire at {1}, more than {2} "
          + "ahead; it is treated as expiring at {3} and refreshed before then (TokenCache maximumTokenLifetime)",
          describe(key), token.expiresAt(), Duration.ofMillis(maximumLifetimeMillis), Instant.ofEpochMilli(cap));
    }
    long usableUntil = saturatedMinus(expiresAt, expiryMarginMillis);
    Instant named = token.refreshAt();
    long refreshAt;
    if (named != null) {
      refreshAt = millis(named);
    } else {
      long life = expiresAt - now;
      refreshAt = Math.max(saturatedMinus(expiresAt, refreshAheadMillis), now + life / 2);
    }
    if (reason != FetchReason.INITIAL) {
      refreshAt = Math.max(refreshAt, saturatedPlus(now, minimumRefreshIntervalMillis));
    }
    refreshAt = Math.min(refreshAt, usableUntil);
    long sampledUntil = Math.min(refreshAt, saturatedMinus(usableUntil, SAMPLED_CLOCK_TRUST_MILLIS));
    return new Snapshot(token, sampledUntil, refreshAt, usableUntil);
  }

  private static long millis(Instant instant) {
    if (instant.isAfter(MAX_INSTANT)) {
      return Long.MAX_VALUE;
    }
    if (instant.isBefore(MIN_INSTANT)) {
      return Long.MIN_VALUE;
    }
    return instant.toEpochMilli();
  }

  private static long saturatedMinus(long a, long b) {
    if (a == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  private static long saturatedPlus(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  /** {@link Duration#toMillis()} without overflow: a duration beyond the range of a long saturates. */
  static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String describe(TokenKey key) {
    return key.source().describe();
  }

  private static TokenException toTokenException(TokenKey key, Throwable failure) {
    Throwable cause = Futures.unwrap(failure);
    if (cause instanceof TokenException te) {
      return te;
    }
    if (cause instanceof AuthException ae) {
      return new TokenException(ae.code(), ae.getMessage(), true, null, ae);
    }
    if (cause instanceof TimeoutException) {
      return new TokenException(describe(key) + " did not answer in time; check that the endpoint is reachable",
          cause);
    }
    return new TokenException(describe(key) + " failed: " + cause.getClass().getSimpleName()
        + "; see the cause for details", cause);
  }

  private static AccessToken await(CompletableFuture<AccessToken> f, @Nullable Duration timeout) {
    try {
      return timeout == null ? f.get() : f.get(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenException("interrupted while waiting for a token", e);
    } catch (TimeoutException e) {
      throw new TokenException("no token within " + timeout + "; the fetch goes on for later callers", e);
    } catch (CancellationException e) {
      throw new TokenException("the token fetch was cancelled", e);
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e);
      if (cause instanceof TokenException te) {
        throw te;
      }
      throw new TokenException("token fetch failed: " + cause.getClass().getSimpleName(), cause);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static final Instant MAX_INSTANT = Instant.ofEpochMilli(Long.MAX_VALUE);
  private static final Instant MIN_INSTANT = Instant.ofEpochMilli(Long.MIN_VALUE);
  private static final VarHandle CURRENT;
  private static final VarHandle IN_FLIGHT;
  private static final VarHandle REJECTED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CURRENT = lookup.findVarHandle(Entry.class, "current", Snapshot.class);
      IN_FLIGHT = lookup.findVarHandle(Entry.class, "inFlight", CompletableFuture.class);
      REJECTED = lookup.findVarHandle(Entry.class, "rejected", Secret.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One cached token with its thresholds in epoch milliseconds, replaced whole. */
  private static final class Snapshot {
    final AccessToken token;
    /** Until then the sampled clock may answer "fresh"; {@link #SAMPLED_CLOCK_TRUST_MILLIS} before the margin. */
    final long sampledUntil;
    final long refreshAt;
    final long usableUntil;

    Snapshot(AccessToken token, long sampledUntil, long refreshAt, long usableUntil) {
      this.token = token;
      this.sampledUntil = sampledUntil;
      this.refreshAt = refreshAt;
      this.usableUntil = usableUntil;
    }
  }

  /** The mutable state of one key. */
  private static final class Entry {
    final TokenKey key;
    volatile @Nullable Snapshot current;
    volatile @Nullable CompletableFuture<AccessToken> inFlight;
    /** The source's future of the fetch in flight, cancelled when the cache closes. */
    volatile @Nullable CompletableFuture<AccessToken> running;
    /**
     * The value last invalidated, written before its snapshot is dropped; set until a fetch brings a different one
     * or a forced fetch ends.
     */
    volatile @Nullable Secret rejected;
    /** Set when the map drops this entry; handles bound to it look their key up again. */
    volatile boolean evicted;
    /** Written only by the completing fetch, which is one at a time per entry. */
    volatile long retryNotBefore;

    volatile int attempts;
    /** The {@link #retryNotBefore} last reported as a skipped refresh, so each backoff period is reported once. */
    volatile long skipReportedFor;
    /** When the fetch in flight was reported as started; {@code Long.MIN_VALUE} when it was not. */
    volatile long observedSince = Long.MIN_VALUE;

    /** The provider this entry's key belongs to, set once by the first handle with one; read by events only. */
    volatile @Nullable Origin origin;

    Entry(TokenKey key) {
      this.key = key;
    }
  }

  /**
   * A {@link TokenKey} bound to one cache ({@link TokenCache#bind(TokenKey)}): the methods of the cache for that
   * key, reaching its entry without a map lookup. A credential keeps one per key; it is thread-safe. When the cache
   * evicts the entry, the handle looks the key up again on its next call (a token is then fetched again), so a
   * handle is always correct, however long it is kept.
   */
  public static final class Handle {
    private final TokenCache cache;
    private final TokenKey key;
    private final @Nullable Origin origin;
    /** The entry last reached, or {@code null} before the first call. */
    private volatile @Nullable Entry entry;

    private Handle(TokenCache cache, TokenKey key, @Nullable Origin origin) {
      this.cache = cache;
      this.key = key;
      this.origin = origin;
    }

    /** @return the key this handle is bound to */
    public TokenKey key() {
      return key;
    }

    /**
     * Like {@link TokenCache#get(TokenKey)}.
     *
     * @return a token that is usable now, or that was just fetched for this call
     * @throws TokenException when the fetch failed, or the thread was interrupted while waiting
     */
    public AccessToken get() {
      return cache.get(entry(), null);
    }

    /**
     * Like {@link TokenCache#get(TokenKey, Duration)}.
     *
     * @param timeout how long to wait for a fetch
     * @return a usable token
     * @throws TokenException when the fetch failed or the wait timed out or was interrupted
     */
    public AccessToken get(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      return cache.get(entry(), timeout);
    }

    /**
     * Like {@link TokenCache#getAsync(TokenKey)}.
     *
     * @return a future of a usable token, the caller's own
     */
    public CompletableFuture<AccessToken> getAsync() {
      return cache.getAsync(entry());
    }

    /**
     * Like {@link TokenCache#getIfUsable(TokenKey)}: with a fresh token, a few field reads, no lock and no
     * allocation.
     *
     * @return the usable token, or {@code null} when a caller would have to wait
     */
    public @Nullable AccessToken getIfUsable() {
      return cache.usable(entry());
    }

    /**
     * Like {@link TokenCache#invalidate(TokenKey, AccessToken)}.
     *
     * @param rejected the token the server rejected
     * @return whether the entry was dropped by this call
     */
    public boolean invalidate(AccessToken rejected) {
      return cache.invalidate(key, rejected);
    }

    /**
     * Like {@link TokenCache#peek(TokenKey)}.
     *
     * @return the cached token, or {@code null}
     */
    public @Nullable AccessToken peek() {
      return cache.peek(key);
    }

    private Entry entry() {
      Entry e = entry;
      if (e != null && !e.evicted) {
        return e;
      }
      e = cache.lookup(key, origin);
      entry = e;
      return e;
    }

    @Override
    public String toString() {
      return "TokenCache.Handle[" + key + "]";
    }
  }

  private static final ThreadLocal<@Nullable Origin> CREATING = new ThreadLocal<>();

  /**
   * Runs a credential's creation so that the handles it binds know their provider, for {@link TokenEvent}s.
   * Credentials bind their keys when they are created, once, so this costs nothing per request.
   */
  static <T> T creating(Origin origin, Supplier<T> create) {
    Origin outer = CREATING.get();
    CREATING.set(origin);
    try {
      return create.get();
    } finally {
      if (outer == null) {
        CREATING.remove();
      } else {
        CREATING.set(outer);
      }
    }
  }

  /** Who a handle belongs to: the provider, its method, and the listeners of the {@link LlmAuth} that made it. */
  record Origin(String provider, String method, TokenEvents events) {}

  private static final class DaemonThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "llm-auth-token-fetch-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  /** Configures a {@link TokenCache}. Every setting has a default; see {@link TokenCache}. */
  public static final class Builder {
    private InstantSource clock = CoarseClock.INSTANCE;
    private @Nullable InstantSource preciseClock;
    private @Nullable Executor executor;
    private RandomGenerator random = RandomGenerator.getDefault();
    private Duration refreshAhead = Duration.ofMinutes(5);
    private Duration expiryMargin = Duration.ofSeconds(30);
    private Duration backoffMin = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofSeconds(30);
    private Duration fetchTimeout = Duration.ofMinutes(2);
    private Duration maximumTokenLifetime = Duration.ofHours(24);
    private Duration minimumRefreshInterval = Duration.ofSeconds(30);
    private long maximumSize = 10_000;
    private @Nullable TokenEvents events;

    private Builder() {}

    /** For {@link LlmAuth}: its listeners hear this cache's events. */
    Builder events(TokenEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * Sets the clock; tests pass a fake one. By default the cache reads the system clock through a field that a
     * daemon thread refreshes every few milliseconds, so that a cache hit makes no system call.
     *
     * @param clock the clock, read in milliseconds
     * @return this builder
     */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      this.preciseClock = null;
      return this;
    }

    /** For tests: a fast clock for the freshness check and a precise one for everything past it. */
    Builder clocks(InstantSource fast, InstantSource precise) {
      this.clock = Objects.requireNonNull(fast, "fast");
      this.preciseClock = Objects.requireNonNull(precise, "precise");
      return this;
    }

    /**
     * Sets the executor that runs {@link TokenSource#fetch}. By default the cache starts daemon threads as
     * needed and stops them in {@link #close()}; an executor passed here is never shut down by the cache.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the random source for backoff jitter.
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets how long before expiry a token is refreshed when its source names no {@code refreshAt}.
     *
     * @param refreshAhead the window, 5 minutes by default
     * @return this builder
     */
    public Builder refreshAhead(Duration refreshAhead) {
      this.refreshAhead = nonNegative(refreshAhead, "refreshAhead");
      return this;
    }

    /**
     * Sets the clock-skew margin: a cached token is not handed out this close to its expiry.
     *
     * @param expiryMargin the margin, 30 seconds by default
     * @return this builder
     */
    public Builder expiryMargin(Duration expiryMargin) {
      this.expiryMargin = nonNegative(expiryMargin, "expiryMargin");
      return this;
    }

    /**
     * Sets the bounds of the full-jitter exponential backoff between failed refreshes of a usable token.
     *
     * @param min the first ceiling, 1 second by default
     * @param max the largest ceiling, 30 seconds by default
     * @return this builder
     */
    public Builder backoff(Duration min, Duration max) {
      nonNegative(min, "backoff min");
      nonNegative(max, "backoff max");
      if (min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < min <= max, got min=" + min + ", max=" + max);
      }
      this.backoffMin = min;
      this.backoffMax = max;
      return this;
    }

    /**
     * Sets how long one fetch may take before its waiters fail; the source itself may give up earlier.
     *
     * @param fetchTimeout the limit, 2 minutes by default
     * @return this builder
     */
    public Builder fetchTimeout(Duration fetchTimeout) {
      this.fetchTimeout = nonNegative(fetchTimeout, "fetchTimeout");
      return this;
    }

    /**
     * Sets the longest life the cache believes a token has: a token whose expiry lies further ahead (an {@code exp}
     * or {@code expires_on} years away) is treated as expiring this long after it arrived, and a warning without
     * the token is logged.
     *
     * @param maximumTokenLifetime the cap, more than zero; 24 hours by default
     * @return this builder
     */
    public Builder maximumTokenLifetime(Duration maximumTokenLifetime) {
      nonNegative(maximumTokenLifetime, "maximumTokenLifetime");
      if (maximumTokenLifetime.isZero()) {
        throw new IllegalArgumentException("maximumTokenLifetime must be more than zero, got "
            + maximumTokenLifetime + "; pass the longest life a token may be trusted for, such as PT24H");
      }
      this.maximumTokenLifetime = maximumTokenLifetime;
      return this;
    }

    /**
     * Sets how soon after a token arrived the cache may start refreshing it ahead of expiry, so that one key never
     * starts refreshes ahead more often than this, whatever {@code refreshAt} or lifetime its source reports. The
     * token of a key's first fetch (which may come from a file and already be due) is exempt. A token whose usable
     * life is shorter is fetched again only when it stops being usable.
     *
     * @param minimumRefreshInterval the floor, 30 seconds by default
     * @return this builder
     */
    public Builder minimumRefreshInterval(Duration minimumRefreshInterval) {
      this.minimumRefreshInterval = nonNegative(minimumRefreshInterval, "minimumRefreshInterval");
      return this;
    }

    /**
     * Sets the most entries (source, scopes and identity combinations) the cache holds.
     *
     * @param maximumSize at least 1; 10,000 by default
     * @return this builder
     */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be at least 1, got " + maximumSize);
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** @return a new cache */
    public TokenCache build() {
      return new TokenCache(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
