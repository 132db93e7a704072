package dev.llmauth.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link RequestPathBenchmark} (what a request pays) and {@link TokenCacheHotPathBenchmark} (the cache lookup
 * alone) at 1 and 2 threads with the GC profiler, each with the profile in its annotations; writes JMH's JSON for
 * all runs into one file, the machine and load average beside it ({@code latest.machine.json}), and prints the
 * tables {@link ReadmeTables} makes of them.
 *
 * <p>Arguments: the JSON file to write, then optionally forks, warmup and measurement iterations (1 second each)
 * to override the annotations while developing.
 */
public final class HotPathRun {
  private static final int[] THREADS = {1, 2};

  private HotPathRun() {}

  /**
   * Runs the benchmarks.
   *
   * @param args the output file, [forks], [warmup iterations], [measurement iterations]
   * @throws RunnerException when JMH fails
   * @throws IOException when the file cannot be written
   */
  public static void main(String[] args) throws RunnerException, IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: HotPathRun <latest.json> [forks] [warmup iterations] "
          + "[measurement iterations]");
    }
    Path out = Path.of(args[0]);
    String machine = Machine.json();
    List<RunResult> results = new ArrayList<>();
    for (Class<?> benchmark : List.of(RequestPathBenchmark.class, TokenCacheHotPathBenchmark.class)) {
      for (int threads : THREADS) {
        ChainedOptionsBuilder options = new OptionsBuilder()
            .include(benchmark.getName() + "\\.")
            .threads(threads)
            .addProfiler(GCProfiler.class);
        if (args.length > 1) {
          options.forks(Integer.parseInt(args[1]));
        }
        if (args.length > 2) {
          options.warmupIterations(Integer.parseInt(args[2])).warmupTime(TimeValue.seconds(1));
        }
        if (args.length > 3) {
          options.measurementIterations(Integer.parseInt(args[3])).measurementTime(TimeValue.seconds(1));
        }
        results.addAll(new Runner(options.build()).run());
      }
    }
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    try (PrintStream json = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
      ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
    }
    Files.writeString(dir.resolve("latest.machine.json"), "{\"machine\": " + machine + "}\n", StandardCharsets.UTF_8);
    System.out.println();
    System.out.println(ReadmeTables.render(dir, "requestPath"));
    System.out.println(ReadmeTables.render(dir, "tokenCache"));
    System.out.println("JMH JSON written to " + out);
  }
}
