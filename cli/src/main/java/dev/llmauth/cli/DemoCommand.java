package dev.llmauth.cli;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The main job on embedded defaults: starts the kit's mock identity, OAuth and model servers on loopback, sends
 * real requests with each method through each HTTP client, and prints what happened. The command method runs a
 * small POSIX shell script that the demo writes into a temporary directory.
 *
 * <p>MSAL4J reads the managed-identity endpoint from the process environment only, so the Entra rows run in a
 * child JVM whose environment points at the mock identity server.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start mock identity, OAuth and model servers on 127.0.0.1 and authenticate requests with every "
        + "method through every HTTP client; print a table.")
final class DemoCommand implements Runnable {
  private static final int REQUESTS_PER_CLIENT = 3;
  private static final String ROW = "ROW\t";

  @ParentCommand Cli cli;

  @Option(names = "--entra-worker", hidden = true, paramLabel = "MODEL_URL")
  @Nullable String entraWorker;

  /** One line of the table. */
  record Row(String method, String client, int status, int requests, String issuerCalls, String cacheHits,
      String header) {
    String encode() {
      return ROW + String.join("\t", method, client, Integer.toString(status), Integer.toString(requests),
          issuerCalls, cacheHits, header);
    }

    static Row decode(String line) {
      String[] f = line.substring(ROW.length()).split("\t", -1);
      return new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4], f[5], f[6]);
    }
  }

  @Override
  public void run() {
    if (entraWorker != null) {
      runEntraWorker(URI.create(entraWorker));
      return;
    }
    List<Row> rows = new ArrayList<>();
    Path home = tempDir();
    try (MockModelServer model = new MockModelServer().start();
        MockIdentityServer identity = new MockIdentityServer().start();
        MockOAuthServer oauth = new MockOAuthServer().start()) {
      URI modelBase = model.url("/v1");
      cli.out.println("llm-auth demo: mock servers on 127.0.0.1 — model " + model.url() + ", identity "
          + identity.url() + ", OAuth " + oauth.url());
      cli.out.println();

      rows.addAll(method(modelBase, "api-key (OpenAI)", null, ProviderConfig.builder("openai")
          .baseUrl(modelBase.toString()).set("apiKey", "sk-demo-" + random()).build(), Map.of()));
      rows.addAll(method(modelBase, "api-key (Azure OpenAI)", null, ProviderConfig.builder("azure-key")
          .type(ProviderType.AZURE_OPENAI).baseUrl(modelBase.toString()).set("apiKey", "az-demo-" + random())
          .build(), Map.of()));
      rows.addAll(entraInChildJvm(identity, modelBase));
      rows.addAll(method(modelBase, "codex-oauth (expired token, refreshed)", oauth::refreshCount,
          codexProvider(oauth, modelBase, home), Map.of("HOME", home.toString())));
      Path runs = home.resolve("helper").resolve("runs");
      rows.addAll(method(modelBase, "command (credential helper script)", () -> lines(runs),
          commandProvider(modelBase, runs), Map.of("PATH", path())));
    } finally {
      deleteTree(home);
    }
    print(rows);
    long failed = rows.stream().filter(r -> r.status / 100 != 2).count();
    if (failed > 0) {
      throw new CliException(ExitCodes.UPSTREAM, failed + " of " + rows.size() + " combinations failed");
    }
  }

  /** Sends requests with one method through each client, sharing one LlmAuth (and so one token cache). */
  private List<Row> method(URI modelBase, String label, @Nullable IntSupplier issuerCalls,
      ProviderConfig provider, Map<String, String> env) {
    URI recorded = modelBase.resolve("/__control/recorded");
    List<Row> rows = new ArrayList<>();
    try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(provider)).environment(env).build()) {
      RequestAuthenticator a = auth.authenticator(provider.name());
      URI uri = URI.create(provider.effectiveBaseUrl() + "/chat/completions");
      for (HttpClients kind : HttpClients.values()) {
        int callsBefore = issuerCalls == null ? 0 : issuerCalls.getAsInt();
        long fetchesBefore = auth.tokenCache().stats().fetches();
        int recordedBefore = recordedRequests(recorded).size();
        int status = 0;
        try (HttpClients.Client client = kind.open(a)) {
          for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
            status = client.post(uri, RequestCommand.DEFAULT_DATA).status();
          }
        } catch (IOException e) {
          throw new CliException(ExitCodes.NO_CREDENTIAL, label + " via " + kind.id + " failed: "
              + (RequestCommand.authCause(e) != null ? RequestCommand.authCause(e).getMessage()
              : e.getClass().getSimpleName()), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CliException(ExitCodes.USAGE, "interrupted");
        }
        long fetches = auth.tokenCache().stats().fetches() - fetchesBefore;
        boolean cached = issuerCalls != null;
        List<JsonObject> seen = recordedRequests(recorded);
        rows.add(new Row(label, kind.id, status, REQUESTS_PER_CLIENT,
            cached ? Integer.toString(issuerCalls.getAsInt() - callsBefore) : "-",
            cached ? Long.toString(REQUESTS_PER_CLIENT - fetches) : "-",
            headerSummary(seen.subList(recordedBefore, seen.size()))));
      }
    }
    return rows;
  }

  private static ProviderConfig codexProvider(MockOAuthServer oauth, URI modelBase, Path home) {
    Path authFile = home.resolve(".codex").resolve("auth.json");
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("id_token", oauth.issueIdToken());
    tokens.put("access_token", oauth.issueAccessToken(Duration.ofMinutes(-5)));
    tokens.put("refresh_token", oauth.issueRefreshToken());
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("tokens", tokens);
    file.put("last_refresh", "2026-01-01T00:00:00Z");
    try {
      Files.createDirectories(authFile.getParent());
      Files.writeString(authFile, new Gson().toJson(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ProviderConfig.builder("codex").type(ProviderType.CODEX).baseUrl(modelBase.toString())
        .set("codexOAuth", new CodexOAuthSettings(authFile.toString(), oauth.issuer().toString(), null).toBlock()).build();
  }

  /**
   * A provider whose {@code command} block runs a POSIX shell script written into the demo's temporary directory:
   * each run appends to {@code runs} and prints a new token that lives an hour, as JSON.
   */
  private static ProviderConfig commandProvider(URI modelBase, Path runs) {
    Path script = runs.resolveSibling("credential-helper");
    try {
      Files.createDirectories(script.getParent());
      Files.writeString(script, String.join("\n",
          "#!/bin/sh",
          "# the demo's credential helper: a new token on every run, valid for an hour",
          "echo run >> '" + runs + "'",
          "n=$(wc -l < '" + runs + "' | tr -d ' ')",
          "printf '{\"token\": \"cmd-demo-" + random() + "-%s\", \"expires_in\": 3600}\\n' \"$n\"",
          ""));
      Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ProviderConfig.builder("helper").baseUrl(modelBase.toString())
        .set("command", Map.of("argv", List.of(script.toString()))).build();
  }

  /** The {@code PATH} the helper script finds {@code wc} and {@code tr} on. */
  private String path() {
    String path = cli.env.get("PATH");
    return path == null || path.isEmpty() ? "/usr/bin:/bin" : path;
  }

  /** How many times the helper script ran: the lines it appended to {@code runs}. */
  private static int lines(Path runs) {
    try {
      return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the Entra rows in a child JVM whose environment points MSAL4J at the mock identity server. */
  private List<Row> entraInChildJvm(MockIdentityServer identity, URI modelBase) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "demo", "--entra-worker", modelBase.toString());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
        || k.equals("IMDS_ENDPOINT"));
    env.putAll(identity.appServiceEnvironment());
    env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
    pb.redirectErrorStream(true);
    List<Row> rows = new ArrayList<>();
    List<String> other = new ArrayList<>();
    try {
      Process p = pb.start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith(ROW)) {
            rows.add(Row.decode(line));
          } else {
            other.add(line);
          }
        }
      }
      int exit = p.waitFor();
      if (exit != 0) {
        throw new CliException(ExitCodes.NO_CREDENTIAL, "the Entra part of the demo failed (exit " + exit + "): "
            + String.join(" / ", other));
      }
    } catch (IOException e) {
      throw new CliException(ExitCodes.USAGE, "cannot start a JVM for the Entra part of the demo: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.USAGE, "interrupted");
    }
    return rows;
  }

  /** In the child JVM: Entra system- and user-assigned through each client, rows on standard output. */
  private void runEntraWorker(URI modelBase) {
    String endpoint = cli.env.get("IDENTITY_ENDPOINT");
    if (endpoint == null) {
      throw new CliException(ExitCodes.USAGE, "the Entra demo worker needs IDENTITY_ENDPOINT");
    }
    URI recorded = URI.create(endpoint).resolve("/__control/recorded");
    IntSupplier identityCalls = () -> identityCalls(recorded);
    List<Row> rows = new ArrayList<>();
    rows.addAll(method(modelBase, "entra (managed identity, system)", identityCalls,
        ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI).baseUrl(modelBase.toString())
            .set("managedIdentity", java.util.Map.of()).build(), cli.env));
    rows.addAll(method(modelBase, "entra (managed identity, clientId)", identityCalls,
        ProviderConfig.builder("azure-uami").type(ProviderType.AZURE_OPENAI).baseUrl(modelBase.toString())
            .set("managedIdentity", java.util.Map.of("clientId", "11111111-2222-3333-4444-555555555555")).build(),
        cli.env));
    rows.forEach(r -> cli.out.println(r.encode()));
  }

  private static int identityCalls(URI recorded) {
    return recordedRequests(recorded).size();
  }

  /** What a mock server recorded, read over its control path (the server may live in another JVM). */
  private static List<JsonObject> recordedRequests(URI recorded) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(get(recorded)).getAsJsonArray()) {
      out.add(e.getAsJsonObject());
    }
    return out;
  }

  private static String get(URI uri) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.USAGE, "interrupted");
    }
  }

  private static String headerSummary(List<JsonObject> requests) {
    if (requests.isEmpty()) {
      return "(none)";
    }
    JsonObject headers = requests.get(requests.size() - 1).getAsJsonObject("headers");
    List<String> parts = new ArrayList<>();
    if (headers.has("authorization")) {
      parts.add("Authorization: Bearer");
    }
    if (headers.has("api-key")) {
      parts.add("api-key");
    }
    if (headers.has("chatgpt-account-id")) {
      parts.add("ChatGPT-Account-Id");
    }
    return parts.isEmpty() ? "(no credential)" : String.join(" + ", parts);
  }

  private void print(List<Row> rows) {
    String format = "%-40s %-7s %-6s %-8s %-12s %-10s %s%n";
    cli.out.printf(format, "METHOD", "CLIENT", "STATUS", "REQUESTS", "ISSUER CALLS", "CACHE HITS", "HEADERS SEEN");
    for (Row r : rows) {
      cli.out.printf(format, r.method, r.client, r.status, r.requests, r.issuerCalls, r.cacheHits, r.header);
    }
    long ok = rows.stream().filter(r -> r.status / 100 == 2).count();
    cli.out.println();
    cli.out.println(ok + " of " + rows.size() + " method × client combinations authenticated; "
        + "all mock servers stopped.");
  }

  private static String random() {
    return Long.toHexString(Double.doubleToLongBits(Math.random()));
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("llm-auth-demo");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
