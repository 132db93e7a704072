package dev.llmauth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs the command line in-process with captured streams and a given environment. */
final class CliHarness {
  private CliHarness() {}

  /** What one command line did. */
  record Result(int exit, String out, String err) {
    String all() {
      return out + err;
    }

    List<String> outLines() {
      return out.lines().toList();
    }

    /** A failure is a few plain lines: no stack trace, no exception class dump. */
    Result assertShortError(int code) {
      assertThat(exit).as("exit code; out=%s err=%s", out, err).isEqualTo(code);
      assertThat(err).startsWith("llm-auth: ").doesNotContain("\tat ").doesNotContain("Exception:");
      assertThat(err.lines().count()).isLessThanOrEqualTo(3);
      return this;
    }
  }

  /** An environment with nothing configured: HOME and CODEX_HOME in a directory of the test's own. */
  static Map<String, String> isolatedEnv(Path home) {
    return Map.of("HOME", home.toString(), "CODEX_HOME", home.resolve(".codex").toString());
  }

  static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = Cli.run(args, o, e, env);
    }
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An output stream that hands each complete line to a queue, for reading a running command's output. */
  static final class Lines extends OutputStream {
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @Override
    public synchronized void write(int b) {
      all.write(b);
      if (b == '\n') {
        lines.add(line.toString(StandardCharsets.UTF_8).stripTrailing());
        line.reset();
      } else {
        line.write(b);
      }
    }

    /** Waits for the next line that starts with {@code prefix} (after leading spaces), at most a minute. */
    String await(String prefix) throws InterruptedException {
      while (true) {
        String next = lines.poll(1, TimeUnit.MINUTES);
        if (next == null) {
          throw new AssertionError("no line starting with '" + prefix + "' within a minute; output: " + text());
        }
        if (next.strip().startsWith(prefix)) {
          return next.strip();
        }
      }
    }

    synchronized String text() {
      return all.toString(StandardCharsets.UTF_8);
    }
  }
}
