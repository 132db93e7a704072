package dev.llmauth.command;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the command once per fetch and turns its output into a token. The {@link dev.llmauth.api.TokenCache} calls
 * it, never twice at once for one credential.
 *
 * <p>A run is bounded: it is killed, with its descendants, when it outlasts the timeout, prints more than {@value
 * #MAX_STDOUT} bytes on stdout, or when the returned stage is completed or cancelled by anyone else first (the
 * cache's own fetch timeout, the cache being closed). Its stdin is closed at once. Errors name the program (never
 * an argument), the exit status and the first line of stderr, sanitised and capped, and left out when it contains
 * anything the command printed on stdout.
 */
final class CommandTokenSource implements TokenSource {
  /** The most stdout a run may print. */
  static final int MAX_STDOUT = 256 * 1024;
  /** The most stderr kept for messages; the rest is read and dropped so the command never blocks on it. */
  static final int MAX_STDERR = 8 * 1024;
  /** The longest stderr excerpt shown in a message. */
  static final int MAX_STDERR_SHOWN = 200;
  /** Variable naming the provider, set for the command. */
  static final String PROVIDER_VARIABLE = "LLM_AUTH_PROVIDER";
  /** Variable naming why the token is needed, set for the command. */
  static final String REASON_VARIABLE = "LLM_AUTH_REASON";
  /**
   * How long stdout and stderr may stay open after the command exited: a process it left behind may hold them, and
   * what it prints after the exit is not read.
   */
  private static final long STREAM_GRACE_MILLIS = 500;
  /** Long runs of token-like characters in stderr are shown as this. */
  private static final Pattern TOKEN_LIKE = Pattern.compile("[A-Za-z0-9+/=_.~-]{24,}");
  private static final Pattern STDOUT_WORDS = Pattern.compile("[\\s\"',:{}\\[\\]]+");

  private final CommandSpec spec;
  private final String provider;
  private final Map<String, String> environment;
  private final InstantSource clock;
  private final String what;

  CommandTokenSource(CommandSpec spec, String provider, Map<String, String> environment, InstantSource clock) {
    this.spec = spec;
    this.provider = provider;
    this.environment = Map.copyOf(environment);
    this.clock = clock;
    this.what = "command " + spec.program() + " of provider '" + provider + "'";
  }

  @Override
  public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
    ProcessBuilder builder = new ProcessBuilder(spec.argv());
    Map<String, String> env = builder.environment();
    env.clear();
    env.putAll(environment);
    env.putAll(spec.env());
    env.put(PROVIDER_VARIABLE, provider);
    env.put(REASON_VARIABLE, reason.name().toLowerCase(Locale.ROOT));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new TokenException(TokenException.TOKEN_UNAVAILABLE, what
          + " could not be started (" + e.getClass().getSimpleName() + "); install " + spec.program()
          + " or give its full path as providers." + provider + ".command.argv[0]", true, null, null));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new TokenException(TokenException.TOKEN_UNAVAILABLE, what
          + " could not be started (" + e.getClass().getSimpleName() + "); check providers." + provider
          + ".command.argv", true, null, null));
    }
    Run run = new Run(process);
    run.start();
    return run.result;
  }

  @Override
  public String describe() {
    return what;
  }

  @Override
  public String toString() {
    return "CommandTokenSource[" + what + "]";
  }

  /** Kills a process and every descendant it has now. */
  static void kill(ProcessHandle process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** One run: a reader thread for each of stdout and stderr, and one that waits for the exit. */
  private final class Run {
    final Process process;
    final CompletableFuture<AccessToken> result = new CompletableFuture<>();
    final Capped stdout = new Capped(MAX_STDOUT);
    final Capped stderr = new Capped(MAX_STDERR);
    final CompletableFuture<Void> stdoutClosed = new CompletableFuture<>();
    final CompletableFuture<Void> stderrClosed = new CompletableFuture<>();

    Run(Process process) {
      this.process = process;
    }

    void start() {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        // The command does not read stdin.
      }
      // Whoever completes the result first (timeout, overflow, cancellation, the cache's deadline) ends the run.
      result.whenComplete((token, failure) -> {
        if (process.isAlive()) {
          kill(process.toHandle());
        }
      });
      CompletableFuture.delayedExecutor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).execute(() ->
          result.completeExceptionally(new TokenException(what + " did not finish within " + spec.timeout()
              .toString().substring(2).toLowerCase(Locale.ROOT) + " and was stopped; raise providers." + provider
              + ".command.timeout or check that the command runs without asking for input", null)));
      thread("stderr", () -> {
        try (InputStream in = process.getErrorStream()) {
          stderr.drain(in);
        } catch (IOException e) {
          // The stream was closed when the run was stopped.
        } finally {
          stderrClosed.complete(null);
        }
      });
      thread("stdout", this::readStdout);
      thread("exit", this::awaitExit);
    }

    private void readStdout() {
      try (InputStream in = process.getInputStream()) {
        if (!stdout.drainUpToCap(in)) {
          result.completeExceptionally(new TokenException(what + " printed more than " + MAX_STDOUT
              + " bytes on stdout and was stopped; make it print only the key or token", null));
        }
      } catch (IOException e) {
        // The stream was closed when the run was stopped.
      } finally {
        stdoutClosed.complete(null);
      }
    }

    /** Waits for the exit, then for the streams (briefly: a process the command left behind may hold them). */
    private void awaitExit() {
      try {
        int status = process.waitFor();
        awaitBriefly(stdoutClosed);
        awaitBriefly(stderrClosed);
        if (result.isDone()) {
          return;
        }
        String out = decode(stdout.bytes());
        if (status != 0) {
          result.completeExceptionally(new TokenException(what + " exited with status " + status
              + stderrExcerpt(out) + "; run it by hand to see why", null));
          return;
        }
        result.complete(CommandOutput.parse(out, spec.format(), clock.instant(), spec.refreshAfter(), what));
      } catch (TokenException e) {
        result.completeExceptionally(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(new TokenException(what + " was interrupted", null));
      } catch (RuntimeException e) {
        result.completeExceptionally(new TokenException(what + " failed while its output was read ("
            + e.getClass().getSimpleName() + ")", null));
      }
    }

    private void awaitBriefly(CompletableFuture<Void> closed) throws InterruptedException {
      try {
        closed.get(STREAM_GRACE_MILLIS, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        // Still open: use what arrived.
      }
    }

    /** The first line of stderr, sanitised and capped, or nothing when it could reveal the output. */
    private String stderrExcerpt(String stdout) {
      String text = new String(stderr.bytes(), StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        return " and printed nothing on stderr";
      }
      String line = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
      for (String word : STDOUT_WORDS.split(stdout)) {
        if (word.length() >= 6 && line.contains(word)) {
          return "; its stderr is not shown because it repeats what the command printed on stdout";
        }
      }
      StringBuilder clean = new StringBuilder(Math.min(line.length(), MAX_STDERR_SHOWN));
      line.codePoints().limit(MAX_STDERR_SHOWN).forEach(c -> clean.appendCodePoint(Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT ? ' ' : c));
      String shown = TOKEN_LIKE.matcher(clean).replaceAll("[redacted]");
      return "; stderr: " + shown + (line.codePointCount(0, line.length()) > MAX_STDERR_SHOWN ? "..." : "");
    }

    private String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new TokenException(what + " printed output that is not UTF-8; make it print the key or token as "
            + "text", null);
      }
    }

    private void thread(String stream, Runnable body) {
      Thread t = new Thread(body, "llm-auth-command-" + stream);
      t.setDaemon(true);
      t.start();
    }
  }

  /** A byte buffer with a cap. */
  private static final class Capped {
    private final int cap;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Capped(int cap) {
      this.cap = cap;
    }

    /** @return whether the stream ended within the cap */
    boolean drainUpToCap(InputStream in) throws IOException {
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        synchronized (this) {
          if (buffer.size() + n > cap) {
            return false;
          }
          buffer.write(chunk, 0, n);
        }
      }
      return true;
    }

    /** Reads to the end, keeping the first {@code cap} bytes. */
    void drain(InputStream in) throws IOException {
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        synchronized (this) {
          buffer.write(chunk, 0, Math.max(0, Math.min(n, cap - buffer.size())));
        }
      }
    }

    synchronized byte[] bytes() {
      return buffer.toByteArray();
    }
  }
}
