package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Codex CLI rewrites auth.json in place, without a lock: a reader can see a truncated file. Such a file is read
 * again for a while; one that stays unparsable is a transient error with its line and column, and is never
 * rewritten.
 */
class HalfWrittenFileTest {
  private static final String TRUNCATED = "{\n  \"OPENAI_API_KEY\": null,\n  \"tokens\": {\n    \"access_token\": \"ey";

  @TempDir Path home;
  CodexFixture f;
  final List<Duration> pauses = new ArrayList<>();

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** The file with pauses that are only counted, so waiting takes no time. */
  private AuthFile counted(AuthFile file) {
    return file.settling(AuthFile.SETTLE_TIME, pauses::add);
  }

  private Duration waited() {
    return pauses.stream().reduce(Duration.ZERO, Duration::plus);
  }

  @Test
  void aFileCompletedWhileWaitingIsRead() throws Exception {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    String whole = f.read();
    f.write(whole.substring(0, whole.length() / 2));
    AuthFile file = new AuthFile(f.authFile).settling(AuthFile.SETTLE_TIME, d -> {
      pauses.add(d);
      if (pauses.size() == 2) {
        f.write(whole);
      }
    });

    assertThat(file.read()).isNotNull().satisfies(o -> assertThat(o.has("tokens")).isTrue());
    assertThat(pauses).hasSize(2);
  }

  @Test
  void aFileThatStaysUnparsableFailsAfterTheWaitWithLineAndColumn() {
    f.write(TRUNCATED);
    AuthFile file = counted(new AuthFile(f.authFile));

    Throwable t = catchThrowable(file::read);

    assertThat(t).isInstanceOfSatisfying(AuthFile.Unparsable.class, e -> {
      assertThat(e.line()).isEqualTo(4);
      assertThat(e.column()).isPositive();
      assertThat(e.getMessage()).contains(f.authFile.toString()).contains("(line 4, column " + e.column() + ")")
          .doesNotContain("\"ey");
    });
    assertThat(waited()).isEqualTo(AuthFile.SETTLE_TIME);
    assertThat(pauses).hasSizeGreaterThan(2);
    assertThat(f.read()).isEqualTo(TRUNCATED);
  }

  @Test
  void anEmptyFileAndANonObjectAreUnparsableToo() {
    AuthFile file = counted(new AuthFile(f.authFile));
    f.write("");
    assertThatThrownBy(file::read).isInstanceOf(AuthFile.Unparsable.class).hasMessageContaining("is empty");
    f.write("[1, 2]");
    assertThatThrownBy(file::read).isInstanceOf(AuthFile.Unparsable.class)
        .hasMessageContaining("is not a JSON object");
  }

  @Test
  void aRequestGetsATransientErrorTheFileIsLeftAloneAndTheNextRequestWorks() {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    String whole = f.read();
    f.write(TRUNCATED);
    CodexOAuthMethod provider = new CodexOAuthMethod(this::counted);

    Throwable t = catchThrowable(() -> CodexFixture.authorize(dev.llmauth.api.RequestAuthenticator.of(f.config(),
        provider.create(f.config(), f.context()))));

    assertThat(t).isInstanceOfSatisfying(TokenException.class, e -> {
      assertThat(e.code()).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
      assertThat(e.isPermanent()).isFalse();
      assertThat(e.getMessage()).contains("(line 4, column").contains("left unchanged")
          .doesNotContain("bin/llm-auth");
    });
    assertThat(f.read()).isEqualTo(TRUNCATED);
    assertThat(f.issuer.refreshCount()).isZero();

    f.write(whole);
    assertThat(CodexFixture.headers(CodexFixture.authorize(dev.llmauth.api.RequestAuthenticator.of(f.config(),
        provider.create(f.config(), f.context()))))).containsKey("Authorization");
  }

  @Test
  void resolutionKeepsTheMethodAvailableAndPicksIt() {
    f.write(TRUNCATED);
    CodexOAuthMethod provider = new CodexOAuthMethod(this::counted);

    Availability a = provider.availability(f.config(), f.context());

    assertThat(a.available()).isTrue();
    assertThat(a.detail()).contains("(line 4, column").contains("Codex CLI");
    try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(f.config())).environment(f.env())
        .tokenCache(f.cache).credentialMethods(List.of(provider)).build()) {
      assertThat(auth.authenticator("codex").method()).isEqualTo("codex-oauth");
    }
  }

  @Test
  void signInAndSignOutNeverRewriteAFileThatDoesNotParse() {
    f.write(TRUNCATED);
    AuthFile file = counted(new AuthFile(f.authFile));

    assertThatThrownBy(() -> file.locked(() -> file.storeSignIn("id", "at", "rt", Instant.EPOCH)))
        .isInstanceOf(AuthFile.Unparsable.class);
    assertThatThrownBy(() -> file.locked(file::removeSignIn)).isInstanceOf(AuthFile.Unparsable.class);
    assertThat(f.read()).isEqualTo(TRUNCATED);
  }

  /**
   * A writer rewrites the file in place the way the Codex CLI does (truncate, write, no rename), pausing halfway;
   * a reader with the default wait never fails, and did see half-written files.
   */
  @Test
  void readsDuringInPlaceRewritesNeverFail() throws Exception {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    byte[] whole = f.read().getBytes(StandardCharsets.UTF_8);
    AtomicInteger waits = new AtomicInteger();
    AuthFile file = new AuthFile(f.authFile).settling(AuthFile.SETTLE_TIME, d -> {
      waits.incrementAndGet();
      Thread.sleep(d.toMillis());
    });
    CodexTokenSource source = new CodexTokenSource(file, new OAuthClient(f.issuer.issuer().toString(),
        CodexOAuthSettings.DEFAULT_ORIGINATOR), CodexOAuthSettings.DEFAULT_ORIGINATOR, f.clock);
    AtomicBoolean done = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      try {
        while (!done.get()) {
          try (FileChannel ch = FileChannel.open(f.authFile, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(whole, 0, whole.length / 2));
            Thread.sleep(3);
            ch.write(ByteBuffer.wrap(whole, whole.length / 2, whole.length - whole.length / 2));
          }
          Thread.sleep(20);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    writer.start();
    List<String> failures = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        try {
          source.fetch(new TokenRequest(List.of(), null), FetchReason.INITIAL).toCompletableFuture().join();
        } catch (RuntimeException e) {
          failures.add(String.valueOf(e.getMessage()));
        }
        Thread.sleep(1);
      }
    } finally {
      done.set(true);
      writer.join();
    }
    assertThat(failures).isEmpty();
    assertThat(waits.get()).as("reads that met a half-written file").isPositive();
    assertThat(f.issuer.refreshCount()).isZero();
    assertThat(Files.readAllBytes(f.authFile)).isEqualTo(whole);
  }
}
