package dev.llmauth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command run for real: output formats, the environment, and every way a run can go wrong. */
class CommandTokenSourceTest {
  private static final String TOKEN = "sk-helper-7f3a9c2e41b8d065";
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  @Test
  void plainTextIsTheTokenUsedForRefreshAfter() throws Exception {
    Path script = Scripts.write(dir, "print", "printf '  " + TOKEN + "\\n\\n'");
    AccessToken token = fetch(source(script, Map.of("refreshAfter", "90s")), FetchReason.INITIAL);
    assertThat(token.value().reveal()).isEqualTo(TOKEN);
    assertThat(token.expires()).isFalse();
    assertThat(token.refreshAt()).isEqualTo(NOW.plusSeconds(90));
  }

  @Test
  void jsonWithExpiresInSetsTheExpiry() throws Exception {
    Path script = Scripts.write(dir, "json", "echo '{\"token\": \"" + TOKEN + "\", \"expires_in\": \"1800\", "
        + "\"other\": [1, 2]}'");
    AccessToken token = fetch(source(script, Map.of()), FetchReason.INITIAL);
    assertThat(token.value().reveal()).isEqualTo(TOKEN);
    assertThat(token.expiresAt()).isEqualTo(NOW.plusSeconds(1800));
    assertThat(token.refreshAt()).isNull();
  }

  @Test
  void theCommandSeesTheContextEnvironmentItsOwnVariablesAndWhy() throws Exception {
    Path script = Scripts.write(dir, "env", "printf '%s.%s.%s.%s' \"$FROM_CONTEXT\" \"$FROM_BLOCK\" "
        + "\"$LLM_AUTH_PROVIDER\" \"$LLM_AUTH_REASON\"; [ -z \"$NOT_PASSED\" ] || echo leaked");
    Map<String, String> env = new java.util.HashMap<>(Scripts.environment());
    env.put("FROM_CONTEXT", "ctx");
    CommandSpec spec = spec(script, Map.of("env", Map.of("FROM_BLOCK", "blk")));
    CommandTokenSource source = new CommandTokenSource(spec, "vault", env, InstantSource.fixed(NOW));
    assertThat(fetch(source, FetchReason.INVALIDATED).value().reveal()).isEqualTo("ctx.blk.vault.invalidated");
  }

  @Test
  void stdinIsClosedSoACommandThatReadsItDoesNotHang() throws Exception {
    Path script = Scripts.write(dir, "stdin", "if read line; then echo got-input; else echo stdin-was-closed; fi");
    assertThat(fetch(source(script, Map.of("timeout", "20s")), FetchReason.INITIAL).value().reveal())
        .isEqualTo("stdin-was-closed");
  }

  @Test
  void aSlowCommandIsStoppedWithItsChildrenAtTheTimeout() throws Exception {
    Path script = Scripts.write(dir, "slow", "sleep 300 & echo $! > '" + dir.resolve("child") + "'; echo $$ > '"
        + dir.resolve("parent") + "'; wait");
    TokenException e = failure(source(script, Map.of("timeout", "300ms")));
    assertThat(e.getMessage()).contains("command slow of provider 'p' did not finish within 0.3s",
        "providers.p.command.timeout");
    assertGone(pid("parent"));
    assertGone(pid("child"));
  }

  /** A process the command leaves behind inherits stdout: the token is read at the command's exit anyway. */
  @Test
  void aProcessLeftBehindHoldingStdoutDoesNotHoldUpTheToken() throws Exception {
    Path script = Scripts.write(dir, "daemonizes", "(sleep 300 & echo $! > '" + dir.resolve("daemon") + "'); echo '"
        + TOKEN + "'");
    try {
      assertThat(fetch(source(script, Map.of("timeout", "20s")), FetchReason.INITIAL).value().reveal())
          .isEqualTo(TOKEN);
    } finally {
      ProcessHandle.of(awaitPid("daemon")).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void cancellingTheFetchStopsTheCommandWithItsChildren() throws Exception {
    Path script = Scripts.write(dir, "slow", "sleep 300 & echo $! > '" + dir.resolve("child.tmp") + "'; mv '"
        + dir.resolve("child.tmp") + "' '" + dir.resolve("child") + "'; wait");
    CompletableFuture<AccessToken> f = source(script, Map.of("timeout", "60s"))
        .fetch(TokenRequest.none(), FetchReason.INITIAL).toCompletableFuture();
    long child = awaitPid("child");
    assertThat(ProcessHandle.of(child)).as("the child runs until the fetch is cancelled").isPresent();
    f.cancel(true);
    assertGone(child);
  }

  @Test
  void aFailingCommandReportsItsStatusAndFirstStderrLine() {
    Path script = Scripts.write(dir, "vault", "echo 'Error: permission denied\u0007 (code 403)' >&2; "
        + "echo 'second line' >&2; exit 3");
    TokenException e = failure(source(script, Map.of()));
    assertThat(e.getMessage()).isEqualTo("command vault of provider 'p' exited with status 3; stderr: Error: "
        + "permission denied  (code 403); run it by hand to see why");
    assertThat(e.isPermanent()).isFalse();
  }

  @Test
  void stderrIsCappedAndTokenLikeWordsInItAreRedacted() {
    Path script = Scripts.write(dir, "noisy", "echo 'bad key AbCdEfGhIjKlMnOpQrStUvWxYz0123 " + "ab ".repeat(100) + "' >&2; "
        + "exit 1");
    String message = failure(source(script, Map.of())).getMessage();
    assertThat(message).contains("stderr: bad key [redacted] ab ab ab").doesNotContain("AbCdEfGhIjKlMnOpQrStUvWxYz0123")
        .contains("...;");
    assertThat(message.length()).isLessThan(400);
  }

  @Test
  void stderrRepeatingTheTokenIsNotShown() {
    Path script = Scripts.write(dir, "leaky", "echo '" + TOKEN + "'; echo 'debug: token is " + TOKEN
        + "' >&2; exit 1");
    TokenException e = failure(source(script, Map.of()));
    assertThat(e.getMessage()).contains("exited with status 1", "its stderr is not shown because it repeats what "
        + "the command printed on stdout");
    assertNoToken(e, TOKEN);
  }

  @Test
  void aTokenAlsoPrintedOnStderrStillWorksAndStderrGoesNowhere() throws Exception {
    Path script = Scripts.write(dir, "chatty", "echo '" + TOKEN + "'; echo 'token: " + TOKEN + "' >&2");
    CommandTokenSource source = source(script, Map.of());
    AccessToken token = fetch(source, FetchReason.INITIAL);
    assertThat(token.value().reveal()).isEqualTo(TOKEN);
    assertThat(token.toString() + source + source.describe()).doesNotContain(TOKEN);
  }

  @Test
  void megabytesOnStdoutAreCutOff() {
    Path script = Scripts.write(dir, "flood", "head -c 3000000 /dev/zero | tr '\\0' 'a'");
    TokenException e = failure(source(script, Map.of()));
    assertThat(e.getMessage()).isEqualTo("command flood of provider 'p' printed more than 262144 bytes on stdout "
        + "and was stopped; make it print only the key or token");
    assertThat(e.getMessage()).doesNotContain("aaaaaaaa");
  }

  @Test
  void outputThatIsNotOneTokenIsRejectedWithoutShowingIt() {
    Path script = Scripts.write(dir, "two", "echo 'Your key is:'; echo '" + TOKEN + "'");
    TokenException e = failure(source(script, Map.of()));
    assertThat(e.getMessage()).contains("printed its output with whitespace", "position 5 of");
    assertNoToken(e, TOKEN);
  }

  @Test
  void brokenJsonIsRejectedWithoutShowingIt() {
    Path script = Scripts.write(dir, "broken", "echo '{\"token\": \"" + TOKEN + "\", expires_in: 60}'");
    TokenException e = failure(source(script, Map.of()));
    assertThat(e.getMessage()).contains("printed JSON that is not valid JSON (line 1 column");
    assertNoToken(e, TOKEN);
  }

  @Test
  void nothingOnStdoutIsAnError() {
    Path script = Scripts.write(dir, "quiet", "exit 0");
    assertThat(failure(source(script, Map.of())).getMessage())
        .isEqualTo("command quiet of provider 'p' printed nothing on stdout; make it print the key or token");
  }

  @Test
  void aProgramThatCannotBeStartedIsAPermanentFailure() {
    CommandSpec spec = spec(dir.resolve("no-such-helper"), Map.of());
    TokenException e = failure(new CommandTokenSource(spec, "p", Scripts.environment(), InstantSource.fixed(NOW)));
    assertThat(e.isPermanent()).isTrue();
    assertThat(e.getMessage()).isEqualTo("command no-such-helper of provider 'p' could not be started (IOException); "
        + "install no-such-helper or give its full path as providers.p.command.argv[0]");
  }

  @Test
  void argumentsAreNeverShownOnlyTheProgram() {
    Path script = Scripts.write(dir, "fails", "exit 1");
    CommandSpec spec = new CommandSpec(List.of(script.toString(), "--password=hunter2-secret"),
        Duration.ofSeconds(10), Duration.ofMinutes(5), CommandSpec.Format.AUTO, CommandSpec.SendAs.API_KEY, Map.of());
    CommandTokenSource source = new CommandTokenSource(spec, "p", Scripts.environment(), InstantSource.fixed(NOW));
    TokenException e = failure(source);
    assertNoToken(e, "hunter2-secret");
    assertThat(source.describe() + source).doesNotContain("hunter2-secret").contains("command fails");
  }

  private CommandTokenSource source(Path script, Map<String, Object> more) {
    return new CommandTokenSource(spec(script, more), "p", Scripts.environment(), InstantSource.fixed(NOW));
  }

  private static CommandSpec spec(Path script, Map<String, Object> more) {
    return CommandSpec.of(ProviderConfig.builder("p").set(CommandSpec.FIELD,
        Scripts.block(List.of(script.toString()), more)).build());
  }

  private static AccessToken fetch(CommandTokenSource source, FetchReason reason) throws Exception {
    return source.fetch(TokenRequest.none(), reason).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static TokenException failure(CommandTokenSource source) {
    Throwable t = catchThrowable(() -> fetch(source, FetchReason.INITIAL));
    assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TokenException.class);
    return (TokenException) t.getCause();
  }

  /** The secret is in no message, toString or stack trace of the failure. */
  private static void assertNoToken(Throwable e, String secret) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertThat(trace.toString()).doesNotContain(secret);
  }

  private long pid(String file) throws Exception {
    return Long.parseLong(Files.readString(dir.resolve(file)).strip());
  }

  /** Waits for the script to write a pid file; the wait ends by itself only through the test's own timeout. */
  private long awaitPid(String file) throws Exception {
    Path p = dir.resolve(file);
    for (int i = 0; i < 3000 && !Files.exists(p); i++) {
      Thread.sleep(10);
    }
    return pid(file);
  }

  /** The process has ended (or ends within a generous wait: SIGKILL is asynchronous). */
  private static void assertGone(long pid) throws Exception {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      handle.get().onExit().get(30, TimeUnit.SECONDS);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("process " + pid).isNotEqualTo(Optional.of(true));
  }
}
