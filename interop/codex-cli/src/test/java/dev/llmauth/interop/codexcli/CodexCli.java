package dev.llmauth.interop.codexcli;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Codex CLI binary from {@code node_modules/} (the version pinned in {@code package.json}), run with a
 * {@code CODEX_HOME} of its own that points every call at loopback mocks.
 *
 * <p>When the binary is missing or is not the pinned version, {@link #require()} skips the calling test with the
 * install command, or fails it when {@code -Dcodex.cli.required=true} or {@code CI=true} (as in {@code .ci/run}).
 */
final class CodexCli {
  private static final Path MODULE = Path.of(System.getProperty("codex.cli.module", "."));
  private static final Path WORK = Path.of(System.getProperty("codex.cli.work", "target/codex-cli"));
  private static final AtomicInteger HOMES = new AtomicInteger();
  /** Upper bound for one run; a run that is still going then is stopped and reported. */
  static final Duration RUN_LIMIT = Duration.ofSeconds(90);

  private final Path binary;
  private final String version;

  private CodexCli(Path binary, String version) {
    this.binary = binary;
    this.version = version;
  }

  /**
   * Finds the pinned Codex CLI, or skips (fails, under CI) the calling test.
   *
   * @return the CLI
   */
  static CodexCli require() {
    String pinned = pinnedVersion();
    String install = "install it with: npm install --prefix interop/codex-cli";
    boolean required = Boolean.getBoolean("codex.cli.required") || "true".equals(System.getenv("CI"));
    Optional<Path> binary = findBinary();
    String problem;
    if (binary.isEmpty()) {
      problem = "the Codex CLI " + pinned + " is not installed under " + MODULE.resolve("node_modules") + "; "
          + install;
    } else {
      String reported = versionOf(binary.get());
      problem = reported.contains(pinned) ? null : "the Codex CLI under " + MODULE.resolve("node_modules")
          + " reports '" + reported.strip() + "', but package.json pins " + pinned + "; " + install;
    }
    if (problem != null) {
      if (required) {
        fail(problem + " (required: -Dcodex.cli.required=true or CI=true)");
      }
      Assumptions.abort(problem);
    }
    return new CodexCli(binary.orElseThrow(), pinned);
  }

  /** @return the version pinned in {@code package.json} */
  static String pinnedVersion() {
    try {
      JsonObject pkg = JsonParser.parseString(Files.readString(MODULE.resolve("package.json"))).getAsJsonObject();
      return pkg.getAsJsonObject("dependencies").get("@openai/codex").getAsString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The npm package carries the native binary at {@code vendor/<target triple>/bin/codex} of a platform package. */
  private static Optional<Path> findBinary() {
    Path scope = MODULE.resolve("node_modules/@openai");
    if (!Files.isDirectory(scope)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.find(scope, 6, (p, a) -> a.isRegularFile()
        && p.getFileName().toString().equals("codex") && p.getParent().getFileName().toString().equals("bin")
        && p.toString().contains(File.separator + "vendor" + File.separator) && Files.isExecutable(p))) {
      return files.findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String versionOf(Path binary) {
    try {
      Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return out;
    } catch (IOException e) {
      return "(does not run: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** @return the pinned version this CLI reports */
  String version() {
    return version;
  }

  /**
   * Makes a fresh {@code CODEX_HOME} under {@code target/} (Codex refuses some setup under {@code /tmp}) with a
   * {@code config.toml} that stores the sign-in in {@code auth.json}, sends model calls to {@code model}'s
   * {@code /backend-api/codex} and other backend calls to its {@code /backend-api}, and turns analytics, feedback,
   * OpenTelemetry and the update check off.
   *
   * @param name a label for the folder
   * @param issuer the mock issuer refreshes go to
   * @param model the mock backend
   * @param trap the proxy every other call goes to
   * @return the home
   */
  Home home(String name, MockOAuthServer issuer, MockModelServer model, EgressTrap trap) {
    Path dir = WORK.resolve(name + "-" + HOMES.incrementAndGet()).toAbsolutePath();
    String backend = "http://127.0.0.1:" + model.port() + "/backend-api";
    String config = String.join("\n",
        "cli_auth_credentials_store = \"file\"",
        "check_for_update_on_startup = false",
        "chatgpt_base_url = \"" + backend + "\"",
        "model_provider = \"llm-auth-mock\"",
        "",
        "[model_providers.llm-auth-mock]",
        "name = \"llm-auth mock backend\"",
        "base_url = \"" + backend + "/codex\"",
        "wire_api = \"responses\"",
        "requires_openai_auth = true",
        "",
        "[analytics]",
        "enabled = false",
        "",
        "[feedback]",
        "enabled = false",
        "",
        "[otel]",
        "exporter = \"none\"",
        "trace_exporter = \"none\"",
        "metrics_exporter = \"none\"",
        "");
    try {
      deleteTree(dir);
      Files.createDirectories(dir.resolve("work"));
      Files.writeString(dir.resolve("config.toml"), config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = Map.of(
        "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", dir.toString(),
        "CODEX_HOME", dir.toString(),
        "CODEX_REFRESH_TOKEN_URL_OVERRIDE", issuer.url("/oauth/token").toString(),
        "HTTPS_PROXY", trap.url(),
        "HTTP_PROXY", trap.url(),
        "ALL_PROXY", trap.url(),
        "NO_PROXY", "127.0.0.1,localhost,::1");
    return new Home(dir, env);
  }

  /**
   * {@code codex exec} of a short prompt, stopped once {@code seen} holds (it may keep running after its call).
   *
   * @param home the home
   * @param seen what the test waits for, such as a recorded model call
   * @return the run
   */
  Run exec(Home home, BooleanSupplier seen) {
    return run(home, seen, "exec", "--skip-git-repo-check", "--cd", home.dir().resolve("work").toString(),
        "Say hello.");
  }

  /**
   * Runs the CLI until it exits or {@code done} holds, at most {@link #RUN_LIMIT}; then stops it and its children.
   *
   * @param home the home
   * @param done when to stop it
   * @param args the arguments
   * @return the run
   */
  Run run(Home home, BooleanSupplier done, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(home.dir().resolve("work").toFile());
    pb.environment().clear();
    pb.environment().putAll(home.env());
    Path log = home.dir().resolve("run-" + HOMES.incrementAndGet() + ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      Instant limit = Instant.now().plus(RUN_LIMIT);
      while (p.isAlive() && !done.getAsBoolean() && Instant.now().isBefore(limit)) {
        Thread.sleep(25);
      }
      boolean stopped = p.isAlive();
      if (stopped) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      return new Run(stopped ? -1 : p.exitValue(), stopped, done.getAsBoolean(),
          Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the Codex CLI ran", e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * A {@code CODEX_HOME} and the whole environment the CLI gets there.
   *
   * @param dir the folder
   * @param env the environment
   */
  record Home(Path dir, Map<String, String> env) {
    Path authFile() {
      return dir.resolve("auth.json");
    }
  }

  /**
   * How a run ended.
   *
   * @param exitCode the exit code, -1 when it was stopped
   * @param stopped whether it was still running and was stopped
   * @param seen whether what the test waited for was seen
   * @param output stdout and stderr
   */
  record Run(int exitCode, boolean stopped, boolean seen, String output) {}
}
