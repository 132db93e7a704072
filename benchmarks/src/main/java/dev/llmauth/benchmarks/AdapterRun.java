package dev.llmauth.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link AdapterOverheadBenchmark} on one thread with the GC profiler, prints a table with each adapter's time
 * relative to the same client without it, and writes the figures as JSON.
 *
 * <p>Arguments: the JSON file to write, then optionally warmup and measurement iterations (1 second each).
 */
public final class AdapterRun {
  /** The clients, as the benchmark's method names start. */
  private static final List<String> CLIENTS = List.of("jdk", "okhttp", "apache");
  /** The target: an adapter costs at most this fraction more than the bare client. */
  private static final double TARGET = 0.05;

  private AdapterRun() {}

  /**
   * Runs the benchmark.
   *
   * @param args the output file, [warmup iterations], [measurement iterations]
   * @throws RunnerException when JMH fails
   * @throws IOException when the file cannot be written
   */
  public static void main(String[] args) throws RunnerException, IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: AdapterRun <adapter.json> [warmup iterations] [measurement iterations]");
    }
    Path out = Path.of(args[0]);
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int measurements = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Options options = new OptionsBuilder()
        .include(AdapterOverheadBenchmark.class.getName() + "\\.")
        .threads(1)
        .forks(1)
        .warmupIterations(warmups)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(measurements)
        .measurementTime(TimeValue.seconds(1))
        .addProfiler(GCProfiler.class)
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
    StringBuilder json = new StringBuilder("{\n  \"machine\": ").append(Machine.json()).append(",\n");
    json.append(String.format(Locale.ROOT, "  \"threads\": 1, \"warmupIterations\": %d, \"measurementIterations\": %d,"
        + " \"iterationSeconds\": 1, \"target\": \"adapter / bare <= %.2f\",%n", warmups, measurements, 1 + TARGET));
    json.append("  \"clients\": [\n");
    for (int i = 0; i < pairs.size(); i++) {
      json.append("    ").append(pairs.get(i).json()).append(i + 1 < pairs.size() ? ",\n" : "\n");
    }
    json.append("  ]\n}\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
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
