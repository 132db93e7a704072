package dev.llmauth.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
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
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link TokenCacheHotPathBenchmark} at 1 and 2 threads with the GC profiler, writes JMH's JSON for both runs
 * into one file and prints a table with each anchor's time relative to ours.
 *
 * <p>Arguments: the JSON file to write, then optionally warmup and measurement iterations (1 second each).
 */
public final class HotPathRun {
  private static final int[] THREADS = {1, 2};

  private HotPathRun() {}

  /**
   * Runs the benchmark.
   *
   * @param args the output file, [warmup iterations], [measurement iterations]
   * @throws RunnerException when JMH fails
   * @throws IOException when the file cannot be written
   */
  public static void main(String[] args) throws RunnerException, IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: HotPathRun <results.json> [warmup iterations] [measurement iterations]");
    }
    Path out = Path.of(args[0]);
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int measurements = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    List<RunResult> results = new ArrayList<>();
    for (int threads : THREADS) {
      Options options = new OptionsBuilder()
          .include(TokenCacheHotPathBenchmark.class.getName() + "\\.")
          .threads(threads)
          .forks(1)
          .warmupIterations(warmups)
          .warmupTime(TimeValue.seconds(1))
          .measurementIterations(measurements)
          .measurementTime(TimeValue.seconds(1))
          .addProfiler(GCProfiler.class)
          .jvmArgsAppend("-Xms256m", "-Xmx256m")
          .build();
      results.addAll(new Runner(options).run());
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    try (PrintStream json = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
      ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
    }
    System.out.println();
    System.out.print(table(results));
    System.out.println("JMH JSON written to " + out);
  }

  /** A Markdown table: one row per method and thread count, with the time relative to ours. */
  static String table(Collection<RunResult> results) {
    StringBuilder sb = new StringBuilder();
    sb.append("| method | threads | ns/op | ± (99.9%) | B/op | × ours |\n");
    sb.append("|---|---:|---:|---:|---:|---:|\n");
    for (int threads : THREADS) {
      double ours = Double.NaN;
      for (RunResult r : results) {
        if (r.getParams().getThreads() == threads && method(r).equals(Anchors.Impl.OURS.id())) {
          ours = r.getPrimaryResult().getScore();
        }
      }
      for (Anchors.Impl impl : Anchors.Impl.values()) {
        for (RunResult r : results) {
          if (r.getParams().getThreads() != threads || !method(r).equals(impl.id())) {
            continue;
          }
          Result<?> primary = r.getPrimaryResult();
          Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
          sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s | %.2f |%n", impl.id(), threads,
              primary.getScore(), primary.getScoreError(),
              alloc == null ? "n/a" : String.format(Locale.ROOT, "%.1f", alloc.getScore()),
              primary.getScore() / ours));
        }
      }
    }
    return sb.toString();
  }

  private static String method(RunResult r) {
    String benchmark = r.getParams().getBenchmark();
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }
}
