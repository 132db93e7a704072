package dev.llmauth.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link AdapterOverheadBenchmark} on one thread with the GC profiler, then the same requests interleaved
 * (bare and adapter alternating, one request each, so that a change in the machine's load falls on both alike),
 * then throughput at 1 and 16 client threads with and without token refreshes ({@link AdapterThroughput}),
 * prints tables with each adapter's time relative to the same client without it, and writes the figures as JSON.
 *
 * <p>Arguments: the JSON file to write, then optionally warmup and measurement iterations (1 second each) and the
 * number of interleaved pairs per client.
 */
public final class AdapterRun {
  /** The clients, as the benchmark's method names start. */
  private static final List<String> CLIENTS = List.of("jdk", "okhttp", "apache");
  /** The target: an adapter costs at most this fraction more time (throughput: this fraction fewer requests). */
  private static final double TARGET = 0.02;
  /** The least warmup per client before the interleaved requests are timed. */
  private static final Duration WARMUP = Duration.ofSeconds(5);
  /** The throughput part: one window's length, and how many windows each variant gets. */
  private static final Duration THROUGHPUT_WINDOW = Duration.ofSeconds(1);
  private static final int THROUGHPUT_ROUNDS = 5;

  private AdapterRun() {}

  /**
   * Runs the benchmark.
   *
   * @param args the output file, [warmup iterations], [measurement iterations], [interleaved pairs]
   * @throws Exception when JMH fails, a request fails or the file cannot be written
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException(
          "usage: AdapterRun <adapter.json> [warmup iterations] [measurement iterations] [interleaved pairs]");
    }
    Path out = Path.of(args[0]);
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int measurements = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int interleavedPairs = args.length > 3 ? Integer.parseInt(args[3]) : 3000;
    Options options = new OptionsBuilder()
        .include(AdapterOverheadBenchmark.class.getName() + "\\.")
        .threads(1)
        .forks(1)
        .warmupIterations(warmups)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(measurements)
        .measurementTime(TimeValue.seconds(1))
        .addProfiler(GCProfiler.class)
        // Without TCP_NODELAY the JDK's HTTP server meets the client's delayed ACK on a kept-alive connection, and
        // every request takes about 40 ms on loopback, which would hide any adapter cost.
        .jvmArgsAppend("-Xms256m", "-Xmx256m")
        .build();
    Collection<RunResult> results = new Runner(options).run();
    List<Pair> pairs = new ArrayList<>();
    for (String client : CLIENTS) {
      pairs.add(new Pair(client, find(results, client + "Bare"), find(results, client + "Adapter")));
    }
    System.out.println();
    System.out.println("| client | bare ns/op | ± | adapter ns/op | ± | adapter − bare (ns) | adapter / bare "
        + "| bare B/op | adapter B/op |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    pairs.forEach(p -> System.out.println(p.row()));
    List<Interleaved> interleaved;
    List<AdapterThroughput.Result> throughput;
    AdapterOverheadBenchmark b = new AdapterOverheadBenchmark();
    b.start();
    try {
      interleaved = interleaved(b, interleavedPairs);
      throughput = AdapterThroughput.run(b, THROUGHPUT_WINDOW, THROUGHPUT_ROUNDS);
    } finally {
      b.stop();
    }
    System.out.printf(Locale.ROOT, "%nInterleaved, %d pairs per client: median of each request's time%n%n",
        interleavedPairs);
    System.out.println("| client | bare µs (median) | adapter µs (median) | median of (adapter − bare) µs "
        + "| adapter / bare (medians) |");
    System.out.println("|---|---:|---:|---:|---:|");
    interleaved.forEach(i -> System.out.println(i.row()));
    System.out.printf(Locale.ROOT, "%nThroughput, %d windows of %d ms per variant, rotating%n%n", THROUGHPUT_ROUNDS,
        THROUGHPUT_WINDOW.toMillis());
    System.out.println(AdapterThroughput.header());
    throughput.forEach(t -> System.out.println(t.row()));
    StringBuilder json = new StringBuilder("{\n  \"machine\": ").append(Machine.json()).append(",\n");
    json.append(String.format(Locale.ROOT, "  \"threads\": 1, \"warmupIterations\": %d, \"measurementIterations\": %d,"
        + " \"iterationSeconds\": 1, \"target\": \"adapter / bare <= %.2f\",%n", warmups, measurements, 1 + TARGET));
    json.append("  \"clients\": [\n");
    for (int i = 0; i < pairs.size(); i++) {
      json.append("    ").append(pairs.get(i).json()).append(i + 1 < pairs.size() ? ",\n" : "\n");
    }
    json.append("  ],\n  \"interleaved\": {\"pairsPerClient\": ").append(interleavedPairs)
        .append(", \"clients\": [\n");
    for (int i = 0; i < interleaved.size(); i++) {
      json.append("    ").append(interleaved.get(i).json()).append(i + 1 < interleaved.size() ? ",\n" : "\n");
    }
    json.append(String.format(Locale.ROOT, "  ]},%n  \"throughput\": {\"windowMillis\": %d, \"windowsPerVariant\": %d,"
        + " \"target\": \"adapter / bare >= %.2f\", \"results\": [%n", THROUGHPUT_WINDOW.toMillis(), THROUGHPUT_ROUNDS,
        1 - TARGET));
    for (int i = 0; i < throughput.size(); i++) {
      json.append("    ").append(throughput.get(i).json()).append(i + 1 < throughput.size() ? ",\n" : "\n");
    }
    json.append("  ]}\n}\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
  }

  /** One request through a client; returns the status. */
  @FunctionalInterface
  private interface Send {
    int send() throws Exception;
  }

  /**
   * Sends bare and adapter requests alternately (bare first in even pairs, adapter first in odd ones) after at least
   * as many untimed pairs and {@link #WARMUP}, timing each request.
   */
  private static List<Interleaved> interleaved(AdapterOverheadBenchmark b, int pairs) throws Exception {
    List<Interleaved> out = new ArrayList<>();
    out.add(interleaved(b, "jdk", b::jdkBare, b::jdkAdapter, pairs));
    out.add(interleaved(b, "okhttp", b::okhttpBare, b::okhttpAdapter, pairs));
    out.add(interleaved(b, "apache", b::apacheBare, b::apacheAdapter, pairs));
    return out;
  }

  private static Interleaved interleaved(AdapterOverheadBenchmark b, String client, Send bare, Send adapter,
      int pairs) throws Exception {
    // This JVM runs the code cold (JMH ran in forks): warm both paths well past C2 compilation first.
    long warmUntil = System.nanoTime() + WARMUP.toNanos();
    for (int i = 0; i < pairs || System.nanoTime() - warmUntil < 0; i++) {
      if (i % 500 == 0) {
        b.forget();
      }
      check(bare.send());
      check(adapter.send());
    }
    long[] bareNanos = new long[pairs];
    long[] adapterNanos = new long[pairs];
    long[] differences = new long[pairs];
    for (int i = 0; i < pairs; i++) {
      if (i % 500 == 0) {
        b.forget();
      }
      if (i % 2 == 0) {
        bareNanos[i] = time(bare);
        adapterNanos[i] = time(adapter);
      } else {
        adapterNanos[i] = time(adapter);
        bareNanos[i] = time(bare);
      }
      differences[i] = adapterNanos[i] - bareNanos[i];
    }
    return new Interleaved(client, median(bareNanos), median(adapterNanos), median(differences));
  }

  private static long time(Send send) throws Exception {
    long start = System.nanoTime();
    check(send.send());
    return System.nanoTime() - start;
  }

  private static void check(int status) {
    if (status != 200) {
      throw new IllegalStateException("the mock model server answered " + status);
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  /** One client's interleaved medians, in nanoseconds. */
  private record Interleaved(String client, double bare, double adapter, double difference) {
    double ratio() {
      return adapter / bare;
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.3f |", client, bare / 1e3, adapter / 1e3,
          difference / 1e3, ratio());
    }

    String json() {
      return String.format(Locale.ROOT, "{\"client\": %s, \"bareMedianNs\": %.0f, \"adapterMedianNs\": %.0f, "
          + "\"medianDifferenceNs\": %.0f, \"ratio\": %.4f, \"withinTarget\": %b}", Machine.Json.string(client),
          bare, adapter, difference, ratio(), ratio() <= 1 + TARGET);
    }
  }

  private static RunResult find(Collection<RunResult> results, String method) {
    String name = AdapterOverheadBenchmark.class.getName() + "." + method;
    return results.stream().filter(r -> r.getParams().getBenchmark().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no result for " + name));
  }

  private static double alloc(RunResult r) {
    Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
    return alloc == null ? Double.NaN : alloc.getScore();
  }

  /** One client measured bare and through its adapter. */
  private record Pair(String client, RunResult bare, RunResult adapter) {
    double ratio() {
      return adapter.getPrimaryResult().getScore() / bare.getPrimaryResult().getScore();
    }

    String row() {
      Result<?> b = bare.getPrimaryResult();
      Result<?> a = adapter.getPrimaryResult();
      return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.3f | %.0f | %.0f |", client,
          b.getScore(), b.getScoreError(), a.getScore(), a.getScoreError(), a.getScore() - b.getScore(), ratio(),
          alloc(bare), alloc(adapter));
    }

    String json() {
      Result<?> b = bare.getPrimaryResult();
      Result<?> a = adapter.getPrimaryResult();
      return String.format(Locale.ROOT, "{\"client\": %s, \"bareNsPerOp\": %.1f, \"bareError\": %.1f, "
          + "\"adapterNsPerOp\": %.1f, \"adapterError\": %.1f, \"ratio\": %.4f, \"withinTarget\": %b, "
          + "\"bareBytesPerOp\": %.1f, \"adapterBytesPerOp\": %.1f}", Machine.Json.string(client), b.getScore(),
          b.getScoreError(), a.getScore(), a.getScoreError(), ratio(), ratio() <= 1 + TARGET, alloc(bare),
          alloc(adapter));
    }
  }
}
