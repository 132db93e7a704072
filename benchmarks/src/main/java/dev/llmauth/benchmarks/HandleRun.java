package dev.llmauth.benchmarks;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The bound token-cache handle against what it replaced, for {@code results/handle.json}. Runs, at 1 thread with
 * the GC profiler, {@code TokenCacheHotPathBenchmark.ours} (a kept handle) and {@code oursByKey} (a lookup by key
 * through the map), {@code RequestPathBenchmark.ours} and {@code ScaleBenchmark.hit}, and puts each beside the same
 * benchmark's figure from a JMH JSON made with the same options on the code before the handle, where a kept {@code
 * TokenKey} remembered its entry in a field the cache wrote (see {@code benchmarks/README.md} for the command).
 *
 * <p>Arguments: the JMH JSON of the run before, the file to write, forks, warmup and measurement iterations (1 s
 * each).
 */
public final class HandleRun {
  /** The benchmarks both runs measure, as JMH's include patterns. */
  static final String INCLUDE =
      "TokenCacheHotPathBenchmark\\.(ours|oursByKey)$|RequestPathBenchmark\\.ours$|ScaleBenchmark\\.hit$";

  private HandleRun() {}

  /**
   * Runs the benchmarks and writes the comparison.
   *
   * @param args the JMH JSON of the run before, the output file, forks, warmup iterations, measurement iterations
   * @throws Exception when JMH fails or a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      throw new IllegalArgumentException("usage: HandleRun <before JMH json> <handle.json> <forks> <warmups> "
          + "<iterations>");
    }
    Map<String, JsonObject> before = new LinkedHashMap<>();
    for (JsonElement e : JsonParser.parseString(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8))
        .getAsJsonArray()) {
      JsonObject r = e.getAsJsonObject();
      before.put(name(r.get("benchmark").getAsString(), r.has("params")
          ? r.getAsJsonObject("params").get("providers").getAsString() : null), r);
    }
    int forks = Integer.parseInt(args[2]);
    int warmups = Integer.parseInt(args[3]);
    int iterations = Integer.parseInt(args[4]);
    String machine = Machine.json();
    Collection<RunResult> after = new Runner(new OptionsBuilder().include(INCLUDE).threads(1)
        .forks(forks).warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
        .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
        .addProfiler(GCProfiler.class).build()).run();
    List<String> rows = new ArrayList<>();
    for (RunResult r : after) {
      String benchmark = r.getParams().getBenchmark();
      String providers = r.getParams().getParamsKeys().contains("providers") ? r.getParams().getParam("providers")
          : null;
      String label = name(benchmark, providers);
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      double ns = r.getPrimaryResult().getScore();
      JsonObject b = before.get(label);
      String was = "\"\"";
      String wasError = "\"\"";
      String ratio = "\"\"";
      if (b != null) {
        double bns = b.getAsJsonObject("primaryMetric").get("score").getAsDouble();
        was = String.format(Locale.ROOT, "%.1f", bns);
        wasError = String.format(Locale.ROOT, "%.1f",
            b.getAsJsonObject("primaryMetric").get("scoreError").getAsDouble());
        ratio = String.format(Locale.ROOT, "%.2f", ns / bns);
      }
      rows.add(String.format(Locale.ROOT, "{\"benchmark\": %s, \"beforeNsPerOp\": %s, \"beforeError\": %s, "
          + "\"nsPerOp\": %.1f, \"error\": %.1f, \"bytesPerOp\": %.1f, \"nowOverBefore\": %s}",
          Machine.Json.string(label), was, wasError, ns, r.getPrimaryResult().getScoreError(),
          alloc == null ? Double.NaN : alloc.getScore(), ratio));
    }
    String profile = String.format(Locale.ROOT, "JMH, 1 thread, %d fork(s), %d x 1 s warmup, %d x 1 s measurement, "
        + "-prof gc, both runs", forks, warmups, iterations);
    Files.writeString(Path.of(args[1]), "{\"machine\": " + machine + ",\n \"profile\": "
        + Machine.Json.string(profile) + ",\n \"results\": [\n  " + String.join(",\n  ", rows) + "]}\n",
        StandardCharsets.UTF_8);
    System.out.println(ReadmeTables.render(Path.of(args[1]).toAbsolutePath().getParent(), "handle"));
  }

  /** {@code Class.method}, with the provider count of the scale benchmark. */
  private static String name(String benchmark, @Nullable String providers) {
    String[] parts = benchmark.split("\\.");
    String n = parts[parts.length - 2] + "." + parts[parts.length - 1];
    return providers == null ? n : n + " (" + providers + " providers)";
  }
}
