package dev.llmauth.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.llmauth.conformance.mock.MockIdentityServer;
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
 * Start-up of an application ({@link StartupProbe}) in fresh JVMs that have auth-entra, azure-identity, MSAL4J,
 * reactor and the other anchors on their class path: the classes it loads per group ({@code -Xlog:class+load}),
 * and the time from launching the JVM to the first authenticated request arriving at a loopback server. The modes:
 * an API key through llm-auth, the same header set by hand (the baseline), a system-assigned managed identity
 * through llm-auth against a loopback {@link MockIdentityServer} (the probe JVM gets {@code IDENTITY_ENDPOINT} and
 * {@code IDENTITY_HEADER} in its environment, since MSAL4J reads only the process environment), and the
 * DefaultAzureCredential chain (narrowed to ManagedIdentityCredential) over each azure-core transport, netty (the
 * default) and the JDK client, once through a configuration file read with {@code LlmAuthConfig.load} and once
 * through azure-identity alone ({@code DefaultAzureCredential} and {@code getTokenSync}, the header set by hand).
 * An Entra request must carry a token the identity server issued; the identity server answers with only a numeric
 * {@code expires_in}, as github/copilot-sdk's harness does, so the chain runs through llm-auth's answer completion
 * and azure-identity alone fails.
 *
 * <p>Arguments: the JSON file to write, then optionally the number of JVMs to start (5).
 */
public final class StartupRun {
  private static final String KEY = "sk-startup-benchmark-key";
  /** Class-name prefixes counted separately; azure, MSAL, reactor and netty must stay at zero for an API key. */
  private static final Map<String, String> GROUPS = groups();
  /** The probe's own classes, left out of the llm-auth count. */
  private static final String PROBE_PACKAGE = StartupRun.class.getPackageName() + ".";

  private static final String NETTY_TRANSPORT = "com.azure.core.http.netty.NettyAsyncHttpClientProvider";
  private static final String JDK_TRANSPORT = "com.azure.core.http.jdk.httpclient.JdkHttpClientProvider";
  /** The probe modes, with the chain's transport after a colon. */
  private static final List<String> VARIANTS = List.of("llmauth", "bare", "entra", "entra-chain:netty",
      "entra-chain:jdk", "azure:netty", "azure:jdk");
  /** The JSON key of each variant. */
  private static final Map<String, String> KEYS = Map.of("llmauth", "apiKey", "bare", "bareClient",
      "entra", "entra", "entra-chain:netty", "entraChainNetty", "entra-chain:jdk", "entraChainJdk",
      "azure:netty", "azureIdentityNetty", "azure:jdk", "azureIdentityJdk");
  /** The table heading of each variant. */
  private static final Map<String, String> LABELS = Map.of("llmauth", "llm-auth, API key", "bare",
      "bare client, header by hand", "entra", "llm-auth, managed identity", "entra-chain:netty",
      "llm-auth load, entra chain, netty", "entra-chain:jdk", "llm-auth load, entra chain, JDK client",
      "azure:netty", "azure-identity alone, netty", "azure:jdk", "azure-identity alone, JDK client");

  private StartupRun() {}

  private static Map<String, String> groups() {
    Map<String, String> g = new LinkedHashMap<>();
    g.put("azure", "com.azure.");
    g.put("msal", "com.microsoft.aad.");
    g.put("reactor", "reactor.");
    g.put("netty", "io.netty.");
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
    try (MockIdentityServer identity = new MockIdentityServer().start()) {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", exchange -> {
        String sent = exchange.getRequestHeaders().getFirst("Authorization");
        boolean ok = sent != null && (sent.equals("Bearer " + KEY) || sent.startsWith("Bearer ")
            && identity.issuedTokens().contains(sent.substring("Bearer ".length())));
        if (ok) {
          received.compareAndSet(0, System.nanoTime());
        }
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(ok ? 200 : 401, -1);
        exchange.close();
      });
      server.start();
      try {
        run(Path.of(args[0]), runs, "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", identity, received);
      } finally {
        server.stop(0);
      }
    }
  }

  private static void run(Path out, int runs, String baseUrl, MockIdentityServer identity, AtomicLong received)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = Files.createTempFile("llmauth-class-load", ".log");
    try {
      Path config = Files.createTempFile("llmauth-startup", ".json");
      Files.writeString(config, "{\"providers\": {\"azure\": {\"type\": \"azure-openai\", \"baseUrl\": \""
          + baseUrl + "\", \"entra\": {}}}}");
      List<Probe> probes = new ArrayList<>();
      for (String variant : VARIANTS) {
        String mode = variant.contains(":") ? variant.substring(0, variant.indexOf(':')) : variant;
        String transport = variant.endsWith(":jdk") ? JDK_TRANSPORT : NETTY_TRANSPORT;
        // azure-identity alone needs expires_on; llm-auth completes an answer that has only expires_in.
        identity.answerStyle(mode.equals("azure") ? MockIdentityServer.AnswerStyle.AZURE
            : MockIdentityServer.AnswerStyle.EXPIRES_IN_ONLY);
        double[] millis = new double[runs];
        Map<String, Long> counts = Map.of();
        int identityCalls = 0;
        for (int i = 0; i < runs; i++) {
          received.set(0);
          Files.deleteIfExists(log);
          List<String> command = List.of(java.toString(), "-Xlog:class+load=info:file=" + log,
              "-cp", System.getProperty("java.class.path"), StartupProbe.class.getName(), baseUrl, KEY, mode,
              config.toString());
          ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
          Map<String, String> env = builder.environment();
          env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
              || k.equals("IMDS_ENDPOINT"));
          if (mode.startsWith("entra") || mode.equals("azure")) {
            env.putAll(identity.appServiceEnvironment());
          }
          if (mode.equals("entra-chain") || mode.equals("azure")) {
            env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
            env.put("AZURE_HTTP_CLIENT_IMPLEMENTATION", transport);
          }
          int identityBefore = identity.tokenRequests().size();
          long launched = System.nanoTime();
          Process process = builder.start();
          if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0 || received.get() == 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the " + variant + " probe did not send an accepted request");
          }
          millis[i] = (received.get() - launched) / 1e6;
          counts = count(log);
          identityCalls = Math.max(identityCalls, identity.tokenRequests().size() - identityBefore);
        }
        Arrays.sort(millis);
        probes.add(new Probe(variant, millis, counts, identityCalls));
      }
      System.out.printf(Locale.ROOT, "%n%d JVMs each: time from launch to the first authenticated request "
          + "(median, min-max) and classes loaded%n%n", runs);
      StringBuilder header = new StringBuilder("|");
      StringBuilder rule = new StringBuilder("|---|");
      for (Probe p : probes) {
        header.append(" | ").append(LABELS.get(p.mode));
        rule.append("---:|");
      }
      System.out.println(header.append(" |"));
      System.out.println(rule);
      System.out.println(row("first request (ms)", probes, Probe::range));
      for (String group : probes.get(0).counts.keySet()) {
        System.out.println(row(group + " classes", probes, p -> Long.toString(p.counts.get(group))));
      }
      System.out.println(row("identity calls per JVM (most)", probes, p -> Integer.toString(p.identityCalls)));
      Files.createDirectories(out.toAbsolutePath().getParent());
      StringBuilder json = new StringBuilder("{\n  \"machine\": ").append(Machine.json());
      for (Probe p : probes) {
        json.append(",\n  ").append(Machine.Json.string(KEYS.get(p.mode))).append(": ").append(p.json());
      }
      json.append("\n}\n");
      Files.writeString(out, json, StandardCharsets.UTF_8);
      System.out.println("written to " + out);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String row(String name, List<Probe> probes, java.util.function.Function<Probe, String> cell) {
    StringBuilder b = new StringBuilder("| ").append(name);
    for (Probe p : probes) {
      b.append(" | ").append(cell.apply(p));
    }
    return b.append(" |").toString();
  }

  private record Probe(String mode, double[] millis, Map<String, Long> counts, int identityCalls) {
    double median() {
      return millis[millis.length / 2];
    }

    String range() {
      return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median(), millis[0], millis[millis.length - 1]);
    }

    String json() {
      return String.format(Locale.ROOT, "{\"runs\": %d, \"firstRequestMillisMedian\": %.1f, "
          + "\"firstRequestMillisMin\": %.1f, \"firstRequestMillisMax\": %.1f, \"identityCallsPerJvm\": %d, "
          + "\"classesLoaded\": {%s}}", millis.length, median(), millis[0], millis[millis.length - 1], identityCalls,
          String.join(", ", counts.entrySet().stream()
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
