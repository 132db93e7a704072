package dev.llmauth.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The refresh storm, counted rather than timed, for our cache and the three anchors:
 *
 * <ol>
 *   <li><b>Expired entry</b>: 10,000 threads, held at a gate, call {@code get()} at once on an entry whose token
 *       has expired; the source takes 200 ms. Every implementation starts from the same state: filled with one
 *       token that lived 1 s and expired half a second before the gate opens. Counted: source calls (single flight
 *       means 1) and callers that received the new token (all of them, or the storm handed out an expired one);
 *       measured: the time from opening the gate to the last caller's return. Run once through {@code get()} and,
 *       for the implementations that have one, once through the asynchronous path ({@code getAsync()}).
 *   <li><b>A burst of 401s</b>: the entry holds a token that lives an hour; 10,000 threads, held at a gate, each
 *       act as a request whose token the server rejected: drop that token and get one for the replay. Counted:
 *       source calls (1) and replays that carry the new token (all). Only for caches that can drop one token.
 *   <li><b>Proactive refresh</b>: the cached token is still usable but due for refresh. Four callers call {@code
 *       get()} once a millisecond for 400 ms while the 200 ms refresh runs. Measured: the longest any call took;
 *       counted: calls that took 100 ms or more, that is, calls that waited for the source. Each implementation is
 *       filled so that its own rules make the token due: azure-core and ours start no refresh within 30 s of a
 *       fetch, so they are filled first and the run waits for them.
 * </ol>
 *
 * <p>The storms run {@value #ROUNDS} times, the implementations interleaved in each round; the table shows the
 * worst round's counts and the median and longest time.
 *
 * <p>Each cache is filled by a first source call that is not counted. Arguments: the JSON file to write.
 */
public final class RefreshStorm {
  private static final Duration LATENCY = Duration.ofMillis(200);
  private static final int STORM_CALLERS = 10_000;
  private static final int REFRESH_CALLERS = 4;
  private static final Duration REFRESH_WINDOW = Duration.ofMillis(400);
  private static final long WAITED_FOR_SOURCE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** azure-core refreshes a usable token at most once per 30 s after its last fetch. */
  private static final Duration AZURE_REFRESH_DELAY = Duration.ofSeconds(31);
  /** Each storm runs this many times; the table shows the worst round. */
  private static final int ROUNDS = 3;
  /** Our cache refreshes a 100 s token ahead from 50 s after it arrived. */
  private static final Duration OURS_REFRESH_DELAY = Duration.ofSeconds(51);
  /** The storm's common starting state: a token that lived this long ... */
  private static final Duration EXPIRED_LIFETIME = Duration.ofSeconds(1);
  /** ... and expired this long before the gate opens. */
  private static final Duration EXPIRED_FOR = Duration.ofMillis(500);

  private RefreshStorm() {}

  /**
   * Runs every part for every implementation.
   *
   * @param args the JSON file to write
   * @throws Exception when a run fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: RefreshStorm <storm.json>");
    }
    // Filled first, because azure-core will not refresh it before 30 s have passed.
    Instant azureFilled = Instant.now();
    Prepared azureDue = prepare(Anchors.Impl.AZURE_CORE, dueLifetime(Anchors.Impl.AZURE_CORE));

    // Rounds interleave the implementations, so that a change in the machine's load falls on all of them alike.
    Map<String, List<StormResult>> rounds = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (Mode mode : Mode.values()) {
        for (Anchors.Impl impl : Anchors.Impl.values()) {
          Prepared p = prepare(impl, mode == Mode.REJECTED ? Duration.ofHours(1) : EXPIRED_LIFETIME);
          if (mode == Mode.GET_ASYNC && !p.cached.hasAsync() || mode == Mode.REJECTED
              && !p.cached.dropsRejectedTokens()) {
            p.cached.close();
            continue;
          }
          if (mode != Mode.REJECTED) {
            Thread.sleep(EXPIRED_LIFETIME.plus(EXPIRED_FOR).toMillis());
          }
          rounds.computeIfAbsent(mode.label + " " + impl.id(), k -> new ArrayList<>()).add(storm(p, mode));
        }
      }
    }
    List<StormResult> storms = rounds.values().stream().map(RefreshStorm::worstOf).toList();
    // Our cache, like azure-core, starts no refresh ahead within 30 s of a fetch (and refreshes a token this short
    // at half its life): filled with a 100 s token, it is due 50 s after the fill and usable until 70 s.
    Instant oursFilled = Instant.now();
    Prepared oursDue = prepare(Anchors.Impl.OURS, dueLifetime(Anchors.Impl.OURS));
    List<RefreshResult> refreshes = new ArrayList<>();
    for (Anchors.Impl impl : Anchors.Impl.values()) {
      Prepared p;
      if (impl == Anchors.Impl.OURS) {
        long wait = Duration.between(Instant.now(), oursFilled.plus(OURS_REFRESH_DELAY)).toMillis();
        if (wait > 0) {
          System.out.println("waiting " + wait + " ms for our cache's refresh point");
          Thread.sleep(wait);
        }
        p = oursDue;
      } else if (impl == Anchors.Impl.AZURE_CORE) {
        long wait = Duration.between(Instant.now(), azureFilled.plus(AZURE_REFRESH_DELAY)).toMillis();
        if (wait > 0) {
          System.out.println("waiting " + wait + " ms for azure-core's 30 s refresh delay");
          Thread.sleep(wait);
        }
        p = azureDue;
      } else {
        p = prepare(impl, dueLifetime(impl));
      }
      refreshes.add(refresh(p));
    }

    String table = table(storms, refreshes);
    System.out.print(table);
    Path out = Path.of(args[0]);
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json(storms, refreshes), StandardCharsets.UTF_8);
    System.out.println("written to " + out);
  }

  /** The remaining lifetime that puts a fresh fill inside each implementation's proactive-refresh window. */
  private static Duration dueLifetime(Anchors.Impl impl) {
    switch (impl) {
      case OURS:
        return Duration.ofSeconds(100); // refreshed at half its life (50 s), usable until 30 s before expiry
      case AZURE_CORE:
        return Duration.ofMinutes(5).plusSeconds(20); // refresh 5 min ahead, after the 31 s wait: 4 min 49 s left
      case GOOGLE_AUTH:
        return Duration.ofMinutes(3).plusSeconds(30); // stale from 3 min 45 s left, expired at 3 min
      case AWS_SDK:
        return Duration.ofSeconds(90); // prefetch at 2 min, stale at 1 min before expiry
      default:
        throw new IllegalArgumentException(impl.toString());
    }
  }

  private static Prepared prepare(Anchors.Impl impl, Duration firstLifetime) {
    ScriptedSource source = new ScriptedSource(firstLifetime, LATENCY);
    Anchors.Cached cached = impl.create(source);
    cached.get();
    return new Prepared(impl, source, cached);
  }

  /** How the storm's callers ask. */
  enum Mode {
    GET("get()"),
    GET_ASYNC("getAsync()"),
    REJECTED("401 burst");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  /** The worst of a storm's rounds: most source calls and failures, fewest new tokens, longest time. */
  private static StormResult worstOf(List<StormResult> rounds) {
    StormResult first = rounds.get(0);
    return new StormResult(first.impl, first.mode,
        rounds.stream().mapToInt(StormResult::sourceCalls).max().orElseThrow(),
        rounds.stream().mapToInt(StormResult::failures).max().orElseThrow(),
        rounds.stream().mapToInt(StormResult::gotNew).min().orElseThrow(),
        rounds.stream().mapToDouble(StormResult::gateToLastMillis).max().orElseThrow(),
        rounds.stream().mapToDouble(StormResult::gateToLastMillis).sorted().toArray()[rounds.size() / 2]);
  }

  private static StormResult storm(Prepared p, Mode mode) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(STORM_CALLERS);
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(STORM_CALLERS);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger gotNew = new AtomicInteger();
    AtomicLong lastReturn = new AtomicLong(Long.MIN_VALUE);
    Object first = p.cached.get();
    for (int i = 0; i < STORM_CALLERS; i++) {
      Thread t = new Thread(null, () -> {
        ready.countDown();
        try {
          gate.await();
          Object got = switch (mode) {
            case GET -> p.cached.get();
            case GET_ASYNC -> p.cached.getAsync().join();
            case REJECTED -> p.cached.replay(first);
          };
          lastReturn.accumulateAndGet(System.nanoTime(), Math::max);
          if (!String.valueOf(got).contains(ScriptedSource.FIRST_TOKEN)) {
            gotNew.incrementAndGet();
          }
        } catch (RuntimeException | InterruptedException e) {
          failures.incrementAndGet();
        } finally {
          done.countDown();
        }
      }, "storm-" + i, 256 * 1024);
      t.start();
    }
    ready.await();
    long opened = System.nanoTime();
    gate.countDown();
    if (!done.await(2, TimeUnit.MINUTES)) {
      throw new IllegalStateException(p.impl.id() + ": callers still waiting after 2 minutes");
    }
    p.cached.close();
    double took = (lastReturn.get() - opened) / 1e6;
    return new StormResult(p.impl, mode, p.source.refreshCalls(), failures.get(), gotNew.get(), took, took);
  }

  private static RefreshResult refresh(Prepared p) throws InterruptedException {
    long[][] waits = new long[REFRESH_CALLERS][];
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(REFRESH_CALLERS);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < REFRESH_CALLERS; i++) {
      int caller = i;
      Thread t = new Thread(() -> {
        long[] mine = new long[(int) REFRESH_WINDOW.toMillis() + 1];
        int n = 0;
        try {
          gate.await();
          long end = System.nanoTime() + REFRESH_WINDOW.toNanos();
          while (System.nanoTime() < end && n < mine.length) {
            long start = System.nanoTime();
            try {
              p.cached.get();
            } catch (RuntimeException e) {
              failures.incrementAndGet();
            }
            mine[n++] = System.nanoTime() - start;
            Thread.sleep(1);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          waits[caller] = Arrays.copyOf(mine, n);
          done.countDown();
        }
      }, "refresh-caller-" + i);
      t.start();
    }
    gate.countDown();
    if (!done.await(1, TimeUnit.MINUTES)) {
      throw new IllegalStateException(p.impl.id() + ": callers still running after 1 minute");
    }
    // Give a background refresh time to finish, so its source call is counted.
    Thread.sleep(LATENCY.toMillis());
    long[] all = Arrays.stream(waits).flatMapToLong(Arrays::stream).sorted().toArray();
    p.cached.close();
    long waited = Arrays.stream(all).filter(w -> w >= WAITED_FOR_SOURCE_NANOS).count();
    return new RefreshResult(p.impl, all.length, p.source.refreshCalls(), failures.get(), waited,
        all.length == 0 ? 0 : all[all.length - 1] / 1e6, all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e6);
  }

  static String table(List<StormResult> storms, List<RefreshResult> refreshes) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%nStorms: %,d concurrent callers, the source takes %d ms. Expired entry: "
        + "every implementation filled with a token that lived %d ms and expired %d ms before the gate. 401 burst: "
        + "every caller drops the hour-long token it was rejected with and gets one for its replay.%n%n",
        STORM_CALLERS, LATENCY.toMillis(), EXPIRED_LIFETIME.toMillis(), EXPIRED_FOR.toMillis()));
    sb.append(String.format(Locale.ROOT, "Worst of %d interleaved rounds (time: median and longest).%n%n", ROUNDS));
    sb.append("| storm | implementation | source calls | callers with the new token | failed callers "
        + "| gate to last caller, median (ms) | longest (ms) |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (StormResult r : storms) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %.1f | %.1f |%n", r.mode.label, r.impl.id(),
          r.sourceCalls, r.gotNew, r.failures, r.medianGateToLastMillis, r.gateToLastMillis));
    }
    sb.append(String.format(Locale.ROOT, "%nProactive refresh of a usable token: %d callers, one call a millisecond "
        + "each for %d ms%n%n", REFRESH_CALLERS, REFRESH_WINDOW.toMillis()));
    sb.append("| implementation | calls | source calls | calls that waited for the source | longest wait (ms) "
        + "| p99 wait (ms) |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    for (RefreshResult r : refreshes) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.3f | %.3f |%n", r.impl.id(), r.calls,
          r.sourceCalls, r.waitedForSource, r.longestWaitMillis, r.p99WaitMillis));
    }
    return sb.toString();
  }

  private static String json(List<StormResult> storms, List<RefreshResult> refreshes) {
    StringBuilder sb = new StringBuilder("{\n  \"machine\": ").append(Machine.json()).append(",\n");
    sb.append(String.format(Locale.ROOT, "  \"sourceLatencyMillis\": %d,%n", LATENCY.toMillis()));
    sb.append(String.format(Locale.ROOT, "  \"storms\": {\"callers\": %d, \"rounds\": %d, \"expiredLifetimeMillis\": %d, "
        + "\"expiredForMillis\": %d, \"results\": [%n", STORM_CALLERS, ROUNDS, EXPIRED_LIFETIME.toMillis(),
        EXPIRED_FOR.toMillis()));
    for (int i = 0; i < storms.size(); i++) {
      StormResult r = storms.get(i);
      sb.append(String.format(Locale.ROOT, "    {\"storm\": \"%s\", \"implementation\": \"%s\", "
          + "\"sourceCalls\": %d, \"callersWithNewToken\": %d, \"failedCallers\": %d, "
          + "\"medianGateToLastCallerMillis\": %.1f, \"longestGateToLastCallerMillis\": %.1f}%s%n", r.mode.label,
          r.impl.id(), r.sourceCalls, r.gotNew, r.failures, r.medianGateToLastMillis, r.gateToLastMillis,
          i + 1 < storms.size() ? "," : ""));
    }
    sb.append(String.format(Locale.ROOT, "  ]},%n  \"proactiveRefresh\": {\"callers\": %d, \"windowMillis\": %d, "
        + "\"results\": [%n", REFRESH_CALLERS, REFRESH_WINDOW.toMillis()));
    for (int i = 0; i < refreshes.size(); i++) {
      RefreshResult r = refreshes.get(i);
      sb.append(String.format(Locale.ROOT, "    {\"implementation\": \"%s\", \"calls\": %d, \"sourceCalls\": %d, "
          + "\"failedCalls\": %d, \"callsThatWaitedForSource\": %d, \"longestWaitMillis\": %.3f, "
          + "\"p99WaitMillis\": %.3f}%s%n", r.impl.id(), r.calls, r.sourceCalls, r.failures, r.waitedForSource,
          r.longestWaitMillis, r.p99WaitMillis, i + 1 < refreshes.size() ? "," : ""));
    }
    return sb.append("  ]}\n}\n").toString();
  }

  private record Prepared(Anchors.Impl impl, ScriptedSource source, Anchors.Cached cached) {}

  record StormResult(Anchors.Impl impl, Mode mode, int sourceCalls, int failures, int gotNew,
      double gateToLastMillis, double medianGateToLastMillis) {}

  record RefreshResult(Anchors.Impl impl, int calls, int sourceCalls, int failures, long waitedForSource,
      double longestWaitMillis, double p99WaitMillis) {}
}
