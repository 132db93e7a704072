package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer rotates the refresh token when it answers a refresh, so the answer must not be lost: not when writing
 * auth.json fails, and not when the process dies between the answer and the rename.
 */
class RotatedTokenNotLostTest {
  @TempDir Path dir;
  MockOAuthServer issuer;
  Path authFile;
  String firstRefresh;
  final List<LogRecord> logged = new ArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (logged) {
        logged.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void setUp() throws IOException {
    issuer = new MockOAuthServer().start();
    authFile = dir.resolve("codex").resolve("auth.json");
    Files.createDirectories(authFile.getParent());
    firstRefresh = issuer.issueRefreshToken();
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("id_token", issuer.issueIdToken());
    tokens.put("access_token", issuer.issueAccessToken(Duration.ofMinutes(-10)));
    tokens.put("refresh_token", firstRefresh);
    tokens.put("account_id", MockOAuthServer.DEFAULT_ACCOUNT_ID);
    Files.writeString(authFile, CodexFixture.GSON.toJson(Map.of("tokens", tokens, "last_refresh",
        Instant.now().minus(Duration.ofHours(2)).toString())));
    Logger.getLogger("dev.llmauth.codex").addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    Logger.getLogger("dev.llmauth.codex").removeHandler(capture);
    issuer.close();
  }

  private CodexTokenSource source(AuthFile file) {
    return new CodexTokenSource(file, new OAuthClient(issuer.issuer().toString(),
        CodexOAuthSettings.DEFAULT_ORIGINATOR), CodexOAuthSettings.DEFAULT_ORIGINATOR, InstantSource.system());
  }

  private static AccessToken fetch(CodexTokenSource source, FetchReason reason) {
    return source.fetch(new TokenRequest(List.of(), null), reason).toCompletableFuture().join();
  }

  private JsonObject tokens() throws IOException {
    return JsonParser.parseString(Files.readString(authFile)).getAsJsonObject().getAsJsonObject("tokens");
  }

  @Test
  void whenTheWriteFailsTheNewTokensAreServedFromMemoryAndWrittenLater() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(2 * CodexTokenSource.WRITE_ATTEMPTS);
    AuthFile file = new AuthFile(authFile).beforeRename(tmp -> {
      if (failuresLeft.getAndDecrement() > 0) {
        throw new IOException("No space left on device");
      }
    });
    CodexTokenSource source = source(file);
    String before = Files.readString(authFile);

    AccessToken first = fetch(source, FetchReason.EXPIRED);

    assertThat(issuer.refreshCount()).isEqualTo(1);
    assertThat(Files.readString(authFile)).as("the write failed").isEqualTo(before);
    List<String> warnings;
    synchronized (logged) {
      warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).contains(authFile.toString()).contains("No space left on device")
        .contains("kept in memory").doesNotContain(firstRefresh).doesNotContain(first.value().reveal());
    try (Stream<Path> files = Files.list(authFile.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("auth.json",
          "auth.json.lock");
    }

    // The next fetch serves the tokens from memory, and its writes (the rest of the injected failures) fail too;
    // the one after that stores them.
    assertThat(fetch(source, FetchReason.INITIAL).value()).isEqualTo(first.value());
    assertThat(Files.readString(authFile)).isEqualTo(before);
    assertThat(fetch(source, FetchReason.INITIAL).value()).isEqualTo(first.value());
    assertThat(tokens().get("access_token").getAsString()).isEqualTo(first.value().reveal());
    assertThat(tokens().get("refresh_token").getAsString()).isNotEqualTo(firstRefresh);
    assertThat(Files.getPosixFilePermissions(authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(issuer.refreshCount()).isEqualTo(1);

    // The stored refresh token is the rotated one: the issuer accepts it.
    CodexTokenSource fresh = source(new AuthFile(authFile));
    fresh.rejected(first);
    AccessToken next = fetch(fresh, FetchReason.INVALIDATED);
    assertThat(issuer.refreshCount()).isEqualTo(2);
    assertThat(next.value()).isNotEqualTo(first.value());
  }

  @Test
  void whileTheWriteKeepsFailingTheNextRefreshUsesTheRotatedTokenFromMemory() {
    AuthFile file = new AuthFile(authFile).beforeRename(tmp -> {
      throw new IOException("Input/output error");
    });
    CodexTokenSource source = source(file);
    AccessToken first = fetch(source, FetchReason.EXPIRED);
    source.rejected(first);

    AccessToken second = fetch(source, FetchReason.INVALIDATED);

    assertThat(issuer.refreshCount()).as("both refreshes accepted, none refused as reused").isEqualTo(2);
    assertThat(second.value()).isNotEqualTo(first.value());
  }

  @Test
  void tokensKeptInMemoryAreNotWrittenOverAFileThatDoesNotParse() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(CodexTokenSource.WRITE_ATTEMPTS);
    AuthFile file = new AuthFile(authFile).settling(Duration.ofSeconds(3), d -> { }).beforeRename(tmp -> {
      if (failuresLeft.getAndDecrement() > 0) {
        throw new IOException("No space left on device");
      }
    });
    CodexTokenSource source = source(file);
    AccessToken first = fetch(source, FetchReason.EXPIRED);
    Files.writeString(authFile, "{\"tokens\": {\"access_token\": \"ey");

    assertThat(fetch(source, FetchReason.INITIAL).value()).isEqualTo(first.value());

    assertThat(Files.readString(authFile)).isEqualTo("{\"tokens\": {\"access_token\": \"ey");
    assertThat(issuer.refreshCount()).isEqualTo(1);
  }

  @Test
  void aProcessKilledBetweenTheAnswerAndTheRenameLosesNoSignIn() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", classPath, HaltBeforeRenameChild.class.getName(),
        authFile.toString(), issuer.issuer().toString()).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as("child output: %s", output).isEqualTo(HaltBeforeRenameChild.HALTED);
    assertThat(issuer.refreshCount()).isEqualTo(1);
    assertThat(tokens().get("refresh_token").getAsString()).as("the rename never happened").isEqualTo(firstRefresh);

    AccessToken recovered = fetch(source(new AuthFile(authFile)), FetchReason.EXPIRED);

    assertThat(issuer.refreshCount()).as("the child's answer was recovered, not refreshed again").isEqualTo(1);
    assertThat(tokens().get("access_token").getAsString()).isEqualTo(recovered.value().reveal());
    assertThat(tokens().get("refresh_token").getAsString()).isNotEqualTo(firstRefresh);
    assertThat(Files.getPosixFilePermissions(authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (Stream<Path> files = Files.list(authFile.getParent())) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
    CodexTokenSource again = source(new AuthFile(authFile));
    again.rejected(recovered);
    assertThat(fetch(again, FetchReason.INVALIDATED).value()).as("the recovered refresh token works")
        .isNotEqualTo(recovered.value());
    assertThat(issuer.refreshCount()).isEqualTo(2);
  }
}
