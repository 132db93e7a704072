package dev.llmauth.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Start-up of an API-key-only application ({@link StartupProbe}) in fresh JVMs that have azure-core, reactor and
 * the other anchors on their class path: the classes it loads per group ({@code -Xlog:class+load}), and the time
 * from launching the JVM to the first authenticated request arriving at a loopback server; beside it the same
 * request with the header set by hand (the baseline).
 *
 * <p>Arguments: the JSON file to write, then optionally the number of JVMs to start (5).
 */
public final class StartupRun {
  private static final String KEY = "sk-startup-benchmark-key";
  /** Class-name prefixes counted separately; azure, MSAL and reactor must stay at zero. */
  private static final Map<String, String> GROUPS = groups();
  /** The probe's own classes, left out of the llm-auth count. */
  private static final String PROBE_PACKAGE = StartupRun.class.getPackageName() + ".";

  private StartupRun() {}

  private static Map<String, String> groups() {
    Map<String, String> g = new LinkedHashMap<>();
    g.put("azure", "com.azure.");
    g.put("msal", "com.microsoft.aad.");
    g.put("reactor", "reactor.");
    g.put("llmauth", "dev.llmauth.");
    g.put("caffeine", "com.github.benmanes.caffeine.");
    g.put("gson", "com.google.gson.");
    return g;
  }

  /**
   * Runs the probe and writes the results.
   *
   * @param args the JSON file, [runs]
   * @throws Exception when a probe fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: StartupRun <startup.json> [runs]");
    }
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    AtomicLong received = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      boolean ok = ("Bearer " + KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"));
      if (ok) {
        received.compareAndSet(0, System.nanoTime());
      }
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(ok ? 200 : 401, -1);
      exchange.close();
    });
    server.start();
    String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = Files.createTempFile("llmauth-class-load", ".log");
    try {
      List<Probe> probes = new ArrayList<>();
      for (String mode : List.of("llmauth", "bare")) {
        double[] millis = new double[runs];
        Map<String, Long> counts = Map.of();
        for (int i = 0; i < runs; i++) {
          received.set(0);
          Files.deleteIfExists(log);
          List<String> command = List.of(java.toString(), "-Xlog:class+load=info:file=" + log,
              "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(), baseUrl, KEY, mode);
          long launched = System.nanoTime();
          Process process = new ProcessBuilder(command).inheritIO().start();
          if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0 || received.get() == 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the " + mode + " probe did not send an accepted request");
          }
          millis[i] = (received.get() - launched) / 1e6;
          counts = count(log);
        }
        Arrays.sort(millis);
        probes.add(new Probe(mode, millis, counts));
      }
      System.out.printf(Locale.ROOT, "%nAPI key only, %d JVMs each: time to the first authenticated request "
          + "(median, min-max) and classes loaded%n%n", runs);
      System.out.println("| | llm-auth | bare client, header set by hand |");
      System.out.println("|---|---:|---:|");
      Probe ours = probes.get(0);
      Probe bare = probes.get(1);
      System.out.printf(Locale.ROOT, "| first request (ms) | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) |%n", ours.median(),
          ours.millis[0], ours.millis[runs - 1], bare.median(), bare.millis[0], bare.millis[runs - 1]);
      ours.counts.forEach((group, n) -> System.out.printf(Locale.ROOT, "| %s classes | %d | %d |%n", group, n,
          bare.counts.get(group)));
      Path out = Path.of(args[0]);
      Files.createDirectories(out.toAbsolutePath().getParent());
      StringBuilder json = new StringBuilder("{\n  \"machine\": ").append(Machine.json()).append(",\n");
      json.append("  \"apiKey\": ").append(ours.json()).append(",\n");
      json.append("  \"bareClient\": ").append(bare.json()).append(",\n");
      json.append("  \"entra\": null\n}\n");
      Files.writeString(out, json, StandardCharsets.UTF_8);
      System.out.println("written to " + out);
    } finally {
      server.stop(0);
      Files.deleteIfExists(log);
    }
  }

  private record Probe(String mode, double[] millis, Map<String, Long> counts) {
    double median() {
      return millis[millis.length / 2];
    }

    String json() {
      return String.format(Locale.ROOT, "{\"runs\": %d, \"firstRequestMillisMedian\": %.1f, "
          + "\"firstRequestMillisMin\": %.1f, \"firstRequestMillisMax\": %.1f, \"classesLoaded\": {%s}}",
          millis.length, median(), millis[0], millis[millis.length - 1], String.join(", ", counts.entrySet().stream()
              .map(e -> Machine.Json.string(e.getKey()) + ": " + e.getValue()).toList()));
    }
  }

  /** Counts the classes in the log, in total and per {@link #GROUPS} prefix. */
  private static Map<String, Long> count(Path log) throws IOException {
    List<String> names;
    try (Stream<String> lines = Files.lines(log)) {
      names = lines.filter(l -> l.contains("[class,load]") && l.contains(" source: "))
          .map(l -> l.substring(l.indexOf("] ", l.indexOf("[class,load]")) + 2, l.indexOf(" source: ")).trim())
          .toList();
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("total", (long) names.size());
    GROUPS.forEach((group, prefix) -> counts.put(group, names.stream()
        .filter(n -> n.startsWith(prefix) && !n.startsWith(PROBE_PACKAGE))
        .count()));
    return counts;
  }
}
