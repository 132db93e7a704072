package dev.llmauth.benchmarks;

import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The soak: for each credential method whose tokens rotate (Codex OAuth against a {@link MockOAuthServer}, Entra
 * managed identity against a {@link MockIdentityServer}) and each HTTP adapter (java.net.http, OkHttp, Apache
 * classic), {@link SoakWorker} in a fresh JVM drives many threads of requests to a {@link MockModelServer} in this
 * JVM, while this JVM injects faults at the issuer every few seconds. Tokens live 2 seconds, and every refresh
 * brings a new token (and, for Codex, a new single-use refresh token).
 *
 * <p>Afterwards every request the model server received is checked: its bearer token must be one the issuer issued
 * and must not have expired when it arrived (the JWT's {@code exp} for Codex, the {@code expires_on} the identity
 * server sent for Entra). The worker counts every request it started: each gets a response or a counted, typed
 * failure within a deadline, or it is lost. The worker also records, for every token handed to a request, the
 * life it had left at that moment: less than the cache's expiry margin is the cache's fault, whatever happens to
 * the request afterwards, and is counted apart from a token that expired on its way to the server. Results go to a
 * JSON file and a table; the exit status is 1 when any token was handed out inside the margin, any request arrived
 * with an expired or unknown token, any request was lost, or a part did not run.
 *
 * <p>Arguments: {@code [--seconds N] [--threads N] [--out FILE] [--methods codex,entra] [--adapters
 * jdk,okhttp,apache]}; 60 seconds, 64 threads and {@code benchmarks/results/soak.json} by default. Not run by
 * {@code mvn verify}; see {@code benchmarks/soak.sh}.
 */
public final class Soak {
  /** Tokens live this long at both issuers. */
  static final Duration TOKEN_LIFETIME = Duration.ofSeconds(2);
  /** A fault is injected at the issuer this often. */
  static final Duration FAULT_EVERY = Duration.ofSeconds(3);
  private static final Pattern CLAIM = Pattern.compile("\"(exp|iat)\"\\s*:\\s*(\\d+)");

  private Soak() {}

  /**
   * Runs the soak.
   *
   * @param args options, see the class description
   * @throws Exception when a part cannot be set up or the results cannot be written
   */
  public static void main(String[] args) throws Exception {
    int seconds = 60;
    int threads = 64;
    Path out = Path.of("benchmarks/results/soak.json");
    List<String> methods = List.of("codex", "entra");
    List<String> adapters = List.of("jdk", "okhttp", "apache");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(value);
        case "--threads" -> threads = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        case "--methods" -> methods = List.of(value.split(","));
        case "--adapters" -> adapters = List.of(value.split(","));
        default -> throw new IllegalArgumentException("usage: Soak [--seconds N] [--threads N] [--out FILE] "
            + "[--methods codex,entra] [--adapters jdk,okhttp,apache]; unknown argument " + args[i]);
      }
      i++;
    }
    String machine = Machine.json();
    List<Part> parts = new ArrayList<>();
    for (String method : methods) {
      for (String adapter : adapters) {
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf(Locale.ROOT, "-- %s via %s: %d threads for %d s (load average %s)%n", method, adapter,
            threads, seconds, load);
        Part p = run(method, adapter, seconds, threads);
        p.loadAverageAtStart = String.join(" ", Arrays.copyOf(load.split(" "), 3));
        parts.add(p);
        System.out.println("   " + p.summary());
      }
    }
    System.out.println();
    System.out.println(table(parts));
    StringBuilder json = new StringBuilder("{\n  \"machine\": ").append(machine).append(",\n");
    json.append(String.format(Locale.ROOT, "  \"seconds\": %d, \"threads\": %d, \"tokenLifetimeSeconds\": %d, "
            + "\"faultEverySeconds\": %d, \"requestDeadlineSeconds\": %d,%n", seconds, threads,
        TOKEN_LIFETIME.toSeconds(), FAULT_EVERY.toSeconds(), SoakWorker.DEADLINE.toSeconds()));
    json.append("  \"cache\": {\"refreshAheadMillis\": 1000, \"expiryMarginMillis\": "
        + SoakWorker.EXPIRY_MARGIN.toMillis() + ", \"backoffMillis\": [200, 1000], \"fetchTimeoutMillis\": 5000, "
        + "\"minimumRefreshIntervalMillis\": 100},\n");
    json.append("  \"parts\": [\n");
    for (int i = 0; i < parts.size(); i++) {
      json.append("    ").append(parts.get(i).json()).append(i + 1 < parts.size() ? ",\n" : "\n");
    }
    json.append("  ],\n  \"passed\": ").append(parts.stream().allMatch(Part::passed)).append("\n}\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json, StandardCharsets.UTF_8);
    System.out.println("written to " + out);
    List<String> failed = parts.stream().filter(p -> !p.passed()).map(p -> p.method + " via " + p.adapter + ": "
        + p.problem()).toList();
    if (!failed.isEmpty()) {
      System.out.println("FAILED: " + String.join("; ", failed));
      System.exit(1);
    }
    System.out.println("PASSED: no token was handed out inside the margin, no request arrived with an expired token "
        + "and none was lost");
  }

  /** The issuer of one method: its faults, its counts and the expiry of each token it issued. */
  private interface Issuer extends AutoCloseable {
    /** Injects the next fault of its cycle; returns its name. */
    String injectFault(int n) throws InterruptedException;

    int calls();

    int issued();

    /** @return the token's expiry and issue time as the issuer stated them, or {@code null} for a foreign token */
    Instant @Nullable [] expiryAndIssue(String token);

    @Override
    void close();
  }

  private static Part run(String method, String adapter, int seconds, int threads) throws Exception {
    Path home = Files.createTempDirectory("llmauth-soak");
    try (MockModelServer model = new MockModelServer().start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
          SoakWorker.class.getName(), method, adapter, model.url("/v1").toString(), Integer.toString(seconds),
          Integer.toString(threads)));
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
          || k.startsWith("CODEX_") || k.startsWith("OPENAI_") || k.equals("IMDS_ENDPOINT"));
      Issuer issuer;
      if (method.equals("codex")) {
        MockOAuthServer oauth = new MockOAuthServer().start().tokenLifetime(TOKEN_LIFETIME);
        Path authFile = writeAuthFile(oauth, home);
        command.add(authFile.toString());
        command.add(oauth.issuer().toString());
        issuer = codexIssuer(oauth);
      } else {
        MockIdentityServer identity = new MockIdentityServer().start().tokenLifetime(TOKEN_LIFETIME).rotateTokens(true);
        env.putAll(identity.appServiceEnvironment());
        env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
        issuer = entraIssuer(identity);
      }
      builder.command(command);
      Path log = home.resolve("worker.log");
      builder.redirectError(log.toFile());
      try (Issuer i = issuer) {
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
              StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
              synchronized (lines) {
                lines.add(line);
              }
            }
          } catch (IOException e) {
            // the process ended
          }
        }, "soak-worker-output");
        reader.start();
        List<String> faults = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread.sleep(FAULT_EVERY.toMillis());
        while (System.nanoTime() < end - FAULT_EVERY.toNanos() / 2 && process.isAlive()) {
          faults.add(i.injectFault(faults.size()));
          Thread.sleep(FAULT_EVERY.toMillis());
        }
        boolean exited = process.waitFor(seconds + SoakWorker.DEADLINE.toSeconds() + 60, TimeUnit.SECONDS);
        if (!exited) {
          process.destroyForcibly();
        }
        reader.join(5000);
        List<String> output;
        synchronized (lines) {
          output = List.copyOf(lines);
        }
        Part part = new Part(method, adapter, seconds, threads);
        part.workerExit = exited ? process.exitValue() : -1;
        part.parse(output);
        part.faults = faults.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
            Collectors.counting()));
        part.issuerCalls = i.calls();
        part.tokensIssued = i.issued();
        part.check(model.recorded(r -> r.path().endsWith("/chat/completions")), i);
        part.workerLog = tail(log);
        return part;
      }
    } finally {
      try (Stream<Path> paths = Files.walk(home)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Path writeAuthFile(MockOAuthServer oauth, Path home) throws IOException {
    Path authFile = home.resolve(".codex").resolve("auth.json");
    Files.createDirectories(authFile.getParent());
    // The stored access token has expired: the first request makes the worker refresh.
    Files.writeString(authFile, "{\"tokens\": {\"id_token\": \"" + oauth.issueIdToken() + "\", \"access_token\": \""
        + oauth.issueAccessToken(Duration.ofMinutes(-5)) + "\", \"refresh_token\": \"" + oauth.issueRefreshToken()
        + "\"}, \"last_refresh\": \"2026-01-01T00:00:00Z\"}", StandardCharsets.UTF_8);
    return authFile;
  }

  private static Issuer codexIssuer(MockOAuthServer oauth) {
    return new Issuer() {
      @Override
      public String injectFault(int n) throws InterruptedException {
        switch (n % 4) {
          case 0 -> oauth.enqueue(Fault.error(500, "server_error"));
          case 1 -> {
            // Every token call answers 1.5 s late for one second.
            oauth.tokenDelay(Duration.ofMillis(1500));
            Thread.sleep(1000);
            oauth.tokenDelay(Duration.ZERO);
          }
          case 2 -> oauth.enqueue(Fault.error(429, "rate_limit_exceeded"));
          default -> oauth.enqueue(Fault.error(503, null));
        }
        return List.of("500", "delay 1.5 s for 1 s", "429", "503 (no body)").get(n % 4);
      }

      @Override
      public int calls() {
        return oauth.recorded(r -> r.path().equals("/oauth/token")).size();
      }

      @Override
      public int issued() {
        return oauth.refreshCount();
      }

      @Override
      public Instant @Nullable [] expiryAndIssue(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
          return null;
        }
        String payload;
        try {
          payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
        if (!payload.contains("\"iss\":\"" + oauth.issuer())) {
          return null;
        }
        Map<String, Long> claims = new TreeMap<>();
        Matcher m = CLAIM.matcher(payload);
        while (m.find()) {
          claims.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Long exp = claims.get("exp");
        Long iat = claims.get("iat");
        return exp == null || iat == null ? null
            : new Instant[] {Instant.ofEpochSecond(exp), Instant.ofEpochSecond(iat)};
      }

      @Override
      public void close() {
        oauth.close();
      }
    };
  }

  private static Issuer entraIssuer(MockIdentityServer identity) {
    return new Issuer() {
      @Override
      public String injectFault(int n) {
        Fault[] cycle = {
          Fault.status(500),
          Fault.delay(Duration.ofMillis(1500)),
          Fault.status(429, Duration.ofSeconds(1)),
          Fault.connectionReset(),
          Fault.status(503, Duration.ofSeconds(1)),
          Fault.truncatedJson(),
        };
        identity.enqueue(cycle[n % cycle.length]);
        return List.of("500", "delay 1.5 s", "429 Retry-After 1", "connection reset", "503 Retry-After 1",
            "truncated JSON").get(n % cycle.length);
      }

      @Override
      public int calls() {
        return identity.tokenRequests().size();
      }

      @Override
      public int issued() {
        return identity.issuedTokens().size();
      }

      @Override
      public Instant @Nullable [] expiryAndIssue(String token) {
        Instant expiry = identity.expiryOf(token);
        // expires_on is in whole seconds and the lifetime whole too: this is the issue time to the second, as a
        // JWT's iat would give it.
        return expiry == null ? null : new Instant[] {expiry, expiry.minus(TOKEN_LIFETIME)};
      }

      @Override
      public void close() {
        identity.close();
      }
    };
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  /** One method through one adapter: the worker's counts and what the model server saw. */
  private static final class Part {
    final String method;
    final String adapter;
    final int seconds;
    final int threads;
    int workerExit;
    boolean resultSeen;
    Map<String, String> result = Map.of();
    Map<String, String> cache = Map.of();
    Map<String, String> handOuts = Map.of();
    final Map<String, Long> failures = new TreeMap<>();
    final Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> faults = Map.of();
    int issuerCalls;
    int tokensIssued;
    long received;
    long expired;
    long unknown;
    long expiredWhenStarted;
    long tokensSeen;
    long maxAgeMillis;
    long minLifeLeftMillis = Long.MAX_VALUE;
    long worstExpiredByMillis;
    String workerLog = "";
    String loadAverageAtStart = "";

    Part(String method, String adapter, int seconds, int threads) {
      this.method = method;
      this.adapter = adapter;
      this.seconds = seconds;
      this.threads = threads;
    }

    void parse(List<String> output) {
      for (String line : output) {
        String[] f = line.split("\t");
        switch (f[0]) {
          case "RESULT" -> {
            result = fields(f);
            resultSeen = true;
          }
          case "CACHE" -> cache = fields(f);
          case "HANDOUT" -> handOuts = fields(f);
          case "FAILURE" -> failures.put(f[1], Long.parseLong(f[2]));
          case "STATUS" -> statuses.put(f[1], Long.parseLong(f[2]));
          default -> { }
        }
      }
    }

    private static Map<String, String> fields(String[] f) {
      Map<String, String> m = new LinkedHashMap<>();
      for (int i = 1; i < f.length; i++) {
        int eq = f[i].indexOf('=');
        m.put(f[i].substring(0, eq), f[i].substring(eq + 1));
      }
      return m;
    }

    long number(String key) {
      return Long.parseLong(result.getOrDefault(key, "0"));
    }

    String value(String key) {
      return result.getOrDefault(key, "-");
    }

    long handOut(String key) {
      return Long.parseLong(handOuts.getOrDefault(key, "0"));
    }

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum()
          + statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Requests started that got neither a response nor a counted failure, or got one past the deadline. */
    long lost() {
      return number("sent") - number("answered") + number("overdue");
    }

    /** Checks each request the model server received against its token's expiry. */
    void check(List<RecordedRequest> requests, Issuer issuer) {
      received = requests.size();
      Set<String> seen = new HashSet<>();
      for (RecordedRequest r : requests) {
        String auth = r.header("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (seen.add(token)) {
          tokensSeen++;
        }
        Instant[] times = issuer.expiryAndIssue(token);
        if (times == null) {
          unknown++;
          continue;
        }
        long lifeLeft = Duration.between(r.receivedAt(), times[0]).toMillis();
        minLifeLeftMillis = Math.min(minLifeLeftMillis, lifeLeft);
        maxAgeMillis = Math.max(maxAgeMillis, Duration.between(times[1], r.receivedAt()).toMillis());
        if (!r.receivedAt().isBefore(times[0])) {
          expired++;
          worstExpiredByMillis = Math.max(worstExpiredByMillis, -lifeLeft);
          String started = r.header(SoakWorker.SENT_HEADER);
          if (started != null && Long.parseLong(started) >= times[0].toEpochMilli()) {
            expiredWhenStarted++;
          }
        }
      }
    }

    boolean passed() {
      return problem().isEmpty();
    }

    String problem() {
      List<String> p = new ArrayList<>();
      if (!resultSeen) {
        p.add("the worker reported nothing (exit " + workerExit + "): " + workerLog);
      } else if (workerExit != 0) {
        p.add("the worker exited with " + workerExit);
      }
      if (resultSeen && handOut("count") == 0) {
        p.add("the worker recorded no token hand-out");
      }
      if (handOut("belowMargin") > 0) {
        p.add(handOut("belowMargin") + " tokens were handed to a request with less than the "
            + SoakWorker.EXPIRY_MARGIN.toMillis() + " ms expiry margin left (least " + handOut("minLifeLeftMillis")
            + " ms): the cache broke its promise");
      }
      if (expired > 0) {
        p.add(expired + " requests arrived at the server with an expired token (" + expiredWhenStarted
            + " of them started after the expiry; worst " + worstExpiredByMillis + " ms past it)");
      }
      if (unknown > 0) {
        p.add(unknown + " requests arrived with a token the issuer did not issue");
      }
      if (lost() > 0) {
        p.add(lost() + " requests lost (" + number("hung") + " still running after the deadline, "
            + number("overdue") + " answered after it)");
      }
      if (resultSeen && number("ok") == 0) {
        p.add("no request succeeded");
      }
      return String.join("; ", p);
    }

    String failureText() {
      Map<String, Long> all = new TreeMap<>(failures);
      statuses.forEach((s, n) -> all.put("HTTP " + s, n));
      return all.isEmpty() ? "0" : failed() + " (" + all.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
          .collect(Collectors.joining(", ")) + ")";
    }

    String summary() {
      return String.format(Locale.ROOT, "%s requests, %s ok, failures %s, lost %d; issuer calls %d, tokens seen %d, "
              + "hand-outs %d (below margin %d, least life left %d ms), expired at receipt %d, max token age %d ms; "
              + "%s", value("sent"), value("ok"), failureText(), lost(), issuerCalls, tokensSeen, handOut("count"),
          handOut("belowMargin"), handOut("minLifeLeftMillis"), expired, maxAgeMillis,
          passed() ? "ok" : "FAILED: " + problem());
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d "
              + "| %s | %s | %s |",
          method, adapter, value("sent"), number("sent") / (double) seconds, failureText(), lost(), issuerCalls,
          faults.values().stream().mapToLong(Long::longValue).sum(), tokensSeen, handOut("count"),
          handOut("belowMargin"), handOut("minLifeLeftMillis"), expired, maxAgeMillis,
          minLifeLeftMillis == Long.MAX_VALUE ? 0 : minLifeLeftMillis, value("p50"), value("p99"), value("max"));
    }

    String json() {
      StringBuilder s = new StringBuilder("{");
      s.append("\"method\": ").append(Machine.Json.string(method));
      s.append(", \"adapter\": ").append(Machine.Json.string(adapter));
      s.append(", \"loadAverageAtStart\": ").append(Machine.Json.string(loadAverageAtStart));
      s.append(", \"passed\": ").append(passed());
      if (!passed()) {
        s.append(", \"problem\": ").append(Machine.Json.string(problem()));
      }
      s.append(", \"requests\": ").append(number("sent"));
      s.append(", \"ok\": ").append(number("ok"));
      s.append(", \"failures\": ").append(map(failures));
      s.append(", \"statuses\": ").append(map(statuses));
      s.append(", \"lost\": ").append(lost());
      s.append(", \"hung\": ").append(number("hung"));
      s.append(", \"overdue\": ").append(number("overdue"));
      s.append(", \"receivedByModelServer\": ").append(received);
      s.append(", \"issuerCalls\": ").append(issuerCalls);
      s.append(", \"tokensIssued\": ").append(tokensIssued);
      s.append(", \"tokensSeenByModelServer\": ").append(tokensSeen);
      s.append(", \"faultsInjected\": ").append(map(faults));
      s.append(", \"handOuts\": ").append(handOut("count"));
      s.append(", \"handOutsBelowMargin\": ").append(handOut("belowMargin"));
      s.append(", \"minLifeLeftAtHandOutMillis\": ").append(handOut("minLifeLeftMillis"));
      s.append(", \"expiredAtReceipt\": ").append(expired);
      s.append(", \"unknownTokens\": ").append(unknown);
      s.append(", \"maxTokenAgeMillis\": ").append(maxAgeMillis);
      s.append(", \"minLifeLeftAtReceiptMillis\": ").append(minLifeLeftMillis == Long.MAX_VALUE ? 0
          : minLifeLeftMillis);
      s.append(", \"cacheFetches\": ").append(cache.getOrDefault("fetches", "0"));
      s.append(", \"cacheFetchFailures\": ").append(cache.getOrDefault("fetchFailures", "0"));
      s.append(String.format(Locale.ROOT, ", \"latencyMillis\": {\"p50\": %s, \"p99\": %s, \"p999\": %s, \"max\": %s}",
          value("p50"), value("p99"), value("p999"), value("max")));
      return s.append("}").toString();
    }

    private static String map(Map<String, Long> m) {
      return m.entrySet().stream().map(e -> Machine.Json.string(e.getKey()) + ": " + e.getValue())
          .collect(Collectors.joining(", ", "{", "}"));
    }
  }

  private static String table(List<Part> parts) {
    StringBuilder t = new StringBuilder();
    t.append("| method | adapter | requests | req/s | failures (by kind) | lost | issuer calls | faults injected "
        + "| tokens seen | hand-outs | below margin at hand-out | min life left at hand-out (ms) "
        + "| expired at receipt | max token age (ms) | min life left at receipt (ms) | p50 (ms) | p99 (ms) | max (ms) |\n");
    t.append("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    parts.forEach(p -> t.append(p.row()).append('\n'));
    return t.toString();
  }
}
