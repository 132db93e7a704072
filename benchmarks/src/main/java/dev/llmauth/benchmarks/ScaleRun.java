package dev.llmauth.benchmarks;

import dev.llmauth.api.TokenCache;
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
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Scale: 1, 100 and 10,000 providers on one token cache. For each size: the heap each provider takes once its token
 * is cached and one request was authorized (key, cache entry, token with its 2 KB value, the header value built from
 * it, credential and authenticator; measured after full GCs, with the classes already loaded), so the figure at 1
 * provider also holds the empty cache's own growth,
 * and the per-request cost of a hit ({@link ScaleBenchmark}, JMH with {@code -prof gc}). Then past the cache's
 * {@code maximumSize}: 10,000 providers on a cache bounded to 1,000 entries, authorized twice over, counting source
 * calls, entries kept and requests that carried a wrong token.
 *
 * <p>Arguments: the JSON file to write.
 */
public final class ScaleRun {
  private static final int BOUNDED_SIZE = 1_000;
  private static final int BOUNDED_PROVIDERS = 10_000;

  private ScaleRun() {}

  /**
   * Runs the measurements.
   *
   * @param args the output file
   * @throws Exception when JMH fails or the file cannot be written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ScaleRun <scale.json>");
    }
    Path out = Path.of(args[0]);
    String machine = Machine.json();
    List<String> rows = new ArrayList<>();
    Collection<RunResult> jmh = new Runner(new OptionsBuilder().include(ScaleBenchmark.class.getName() + "\\.")
        .addProfiler(GCProfiler.class).build()).run();
    // Load and initialize every class on the path first, so that the heap figures hold only the providers.
    try (TokenCache warm = TokenCache.builder().build()) {
      new ScaleBenchmark.Fleet(10, warm).authorizeAll();
    }
    for (int size : ScaleBenchmark.sizes()) {
      TokenCache cache = TokenCache.builder().build();
      long before = usedAfterGc();
      ScaleBenchmark.Fleet fleet = new ScaleBenchmark.Fleet(size, cache);
      int wrong = fleet.authorizeAll();
      long after = usedAfterGc();
      RunResult r = jmh.stream().filter(x -> x.getParams().getParam("providers").equals(String.valueOf(size)))
          .findFirst().orElseThrow();
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      rows.add(String.format(Locale.ROOT, "{\"providers\": %d, \"bytesPerProvider\": %d, \"hitNsPerOp\": %.1f, "
          + "\"hitError\": %.1f, \"hitBytesPerOp\": %.1f, \"wrongTokens\": %d}", size, (after - before) / size,
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
          alloc == null ? Double.NaN : alloc.getScore(), wrong));
      fleet.cache.close();
      if (fleet.authenticators.length != size) {
        throw new IllegalStateException("lost a provider");
      }
    }
    ScaleBenchmark.Fleet bounded = new ScaleBenchmark.Fleet(BOUNDED_PROVIDERS,
        TokenCache.builder().maximumSize(BOUNDED_SIZE).build());
    int wrongFirst = bounded.authorizeAll();
    int fetchesFirst = bounded.fetches.get();
    int wrongSecond = bounded.authorizeAll();
    int fetchesSecond = bounded.fetches.get() - fetchesFirst;
    long entries = bounded.cache.stats().entries();
    bounded.cache.close();
    String pastMaximum = String.format(Locale.ROOT, "{\"maximumSize\": %d, \"providers\": %d, "
        + "\"sourceCallsFirstPass\": %d, \"sourceCallsSecondPass\": %d, \"entriesKept\": %d, "
        + "\"wrongTokens\": %d}", BOUNDED_SIZE, BOUNDED_PROVIDERS, fetchesFirst, fetchesSecond, entries,
        wrongFirst + wrongSecond);
    String json = "{\n  \"machine\": " + machine + ",\n  \"sizes\": [\n    " + String.join(",\n    ", rows)
        + "\n  ],\n  \"pastMaximumSize\": [" + pastMaximum + "]\n}\n";
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json, StandardCharsets.UTF_8);
    System.out.println(ReadmeTables.generic(com.google.gson.JsonParser.parseString(json)));
    System.out.println("written to " + out);
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
