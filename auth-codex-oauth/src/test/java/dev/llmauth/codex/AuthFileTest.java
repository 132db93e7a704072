package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthFileTest {
  @TempDir Path dir;

  private static JsonObject obj(String json) {
    return JsonParser.parseString(json).getAsJsonObject();
  }

  @Test
  void writesOwnerOnlyEvenOverAWorldReadableFileAndLeavesNoTemporaryFile() throws Exception {
    Path p = dir.resolve("auth.json");
    Files.writeString(p, "{}");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));

    new AuthFile(p).write(obj("{\"a\":1}"));

    assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(x -> x.getFileName().toString())).containsExactly("auth.json");
    }
  }

  @Test
  void replacesTheFileAtomicallyInsteadOfRewritingItInPlace() throws Exception {
    Path p = dir.resolve("auth.json");
    AuthFile file = new AuthFile(p);
    file.write(obj("{\"generation\":\"old\"}"));
    Object oldKey = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    try (InputStream heldOpen = Files.newInputStream(p)) {
      file.write(obj("{\"generation\":\"new\"}"));
      assertThat(new String(heldOpen.readAllBytes(), StandardCharsets.UTF_8)).contains("old");
    }
    assertThat(Files.readAttributes(p, BasicFileAttributes.class).fileKey()).isNotEqualTo(oldKey);
    assertThat(Files.readString(p)).contains("new");
  }

  @Test
  void readersNeverSeeAPartialFile() throws Exception {
    Path p = dir.resolve("auth.json");
    AuthFile file = new AuthFile(p);
    file.write(obj("{\"n\":0}"));
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger bad = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    Thread reader = new Thread(() -> {
      while (!done.get()) {
        try {
          JsonObject o = file.read();
          if (o == null || !o.has("n")) {
            bad.incrementAndGet();
          }
        } catch (Exception e) {
          bad.incrementAndGet();
        }
        reads.incrementAndGet();
      }
    });
    reader.start();
    String padding = "x".repeat(20_000);
    for (int i = 1; i <= 200; i++) {
      file.write(obj("{\"n\":" + i + ",\"pad\":\"" + padding + "\"}"));
    }
    done.set(true);
    reader.join();
    assertThat(reads.get()).isPositive();
    assertThat(bad.get()).isZero();
  }

  @Test
  void aSignInKeepsUnknownMembersAndAnApiKey() throws Exception {
    Path p = dir.resolve("auth.json");
    Files.writeString(p, "{\"OPENAI_API_KEY\":\"sk-keep\",\"other\":{\"x\":[1,2]},\"tokens\":{\"extra\":\"e\"}}");
    AuthFile file = new AuthFile(p);
    String id = dev.llmauth.conformance.mock.MockOAuthServer.jwt(Map.of("https://api.openai.com/auth",
        Map.of("chatgpt_account_id", "acct-9")));

    String account = file.locked(() -> file.storeSignIn(id, "at", "rt", Instant.parse("2030-01-01T00:00:00Z")));

    JsonObject o = obj(Files.readString(p));
    assertThat(account).isEqualTo("acct-9");
    assertThat(o.get("OPENAI_API_KEY").getAsString()).isEqualTo("sk-keep");
    assertThat(o.getAsJsonObject("other").getAsJsonArray("x")).hasSize(2);
    assertThat(o.get("auth_mode").getAsString()).isEqualTo("chatgpt");
    assertThat(o.get("last_refresh").getAsString()).isEqualTo("2030-01-01T00:00:00Z");
    JsonObject t = o.getAsJsonObject("tokens");
    assertThat(t.get("extra").getAsString()).isEqualTo("e");
    assertThat(t.get("id_token").getAsString()).isEqualTo(id);
    assertThat(t.get("access_token").getAsString()).isEqualTo("at");
    assertThat(t.get("refresh_token").getAsString()).isEqualTo("rt");
    assertThat(t.get("account_id").getAsString()).isEqualTo("acct-9");
  }

  @Test
  void signOutKeepsOtherMembersOrDeletesTheFileWhenNothingIsLeft() throws Exception {
    Path kept = dir.resolve("a").resolve("auth.json");
    Files.createDirectories(kept.getParent());
    Files.writeString(kept, "{\"OPENAI_API_KEY\":\"sk-keep\",\"auth_mode\":\"chatgpt\",\"tokens\":{},"
        + "\"last_refresh\":\"2030-01-01T00:00:00Z\"}");
    AuthFile a = new AuthFile(kept);
    assertThat(a.locked(a::removeSignIn)).isTrue();
    assertThat(obj(Files.readString(kept)).keySet()).containsExactly("OPENAI_API_KEY");
    assertThat(a.locked(a::removeSignIn)).isFalse();

    Path gone = dir.resolve("b").resolve("auth.json");
    Files.createDirectories(gone.getParent());
    Files.writeString(gone, "{\"OPENAI_API_KEY\":null,\"tokens\":{\"access_token\":\"at\"}}");
    AuthFile b = new AuthFile(gone);
    assertThat(b.locked(b::removeSignIn)).isTrue();
    assertThat(gone).doesNotExist();
  }

  @Test
  void theLockFileAndANewDirectoryAreOwnerOnly() throws Exception {
    Path p = dir.resolve("new-home").resolve("auth.json");
    AuthFile file = new AuthFile(p);
    file.locked(() -> null);
    assertThat(Files.getPosixFilePermissions(p.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(p.resolveSibling("auth.json.lock")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void theNextWriteRemovesTemporaryFilesADeadWriterLeftButNoOtherFile() throws Exception {
    Path p = dir.resolve("auth.json");
    Path stale = dir.resolve(".auth.json.12345.tmp");
    Path unrelated = dir.resolve(".other.json.1.tmp");
    Files.writeString(stale, "{\"half\":");
    Files.writeString(unrelated, "x");
    AuthFile file = new AuthFile(p);

    file.locked(() -> {
      file.write(obj("{\"a\":1}"));
      return null;
    });

    assertThat(stale).doesNotExist();
    assertThat(unrelated).exists();
    assertThat(obj(Files.readString(p)).get("a").getAsInt()).isEqualTo(1);
  }

  @Test
  void writesThroughASymbolicLinkReplacingItsTargetAndKeepingTheLink() throws Exception {
    Path realDir = Files.createDirectories(dir.resolve("dotfiles").resolve("codex"));
    Path real = realDir.resolve("auth.json");
    Files.writeString(real, "{\"generation\":\"old\"}");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r--r--"));
    Path home = Files.createDirectories(dir.resolve("home").resolve(".codex"));
    Path link = home.resolve("auth.json");
    Files.createSymbolicLink(link, Path.of("..", "..", "dotfiles", "codex", "auth.json"));
    AuthFile file = new AuthFile(link);

    file.locked(() -> {
      file.write(obj("{\"generation\":\"new\"}"));
      return null;
    });

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("..", "..", "dotfiles", "codex", "auth.json"));
    assertThat(obj(Files.readString(real)).get("generation").getAsString()).isEqualTo("new");
    assertThat(Files.getPosixFilePermissions(real)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(realDir)) {
      assertThat(files.map(x -> x.getFileName().toString())).containsExactly("auth.json");
    }
    try (var files = Files.list(home)) {
      assertThat(files.map(x -> x.getFileName().toString())).containsExactlyInAnyOrder("auth.json",
          "auth.json.lock");
    }
  }

  @Test
  void aCompleteLeftoverNewerThanTheFileIsRecoveredAnOlderOneRemoved() throws Exception {
    Path p = dir.resolve("auth.json");
    Files.writeString(p, "{\"generation\":\"file\"}");
    Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
    Path newer = dir.resolve(".auth.json.1.tmp");
    Files.writeString(newer, "{\"generation\":\"unrenamed\"}");
    Path older = dir.resolve(".auth.json.2.tmp");
    Files.writeString(older, "{\"generation\":\"older\"}");
    Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(999_000_000_000L));
    AuthFile file = new AuthFile(p);

    JsonObject seen = file.locked(file::read);

    assertThat(seen.get("generation").getAsString()).isEqualTo("unrenamed");
    assertThat(newer).doesNotExist();
    assertThat(older).doesNotExist();

    Files.writeString(older, "{\"generation\":\"older\"}");
    Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(999_000_000_000L));
    assertThat(file.locked(file::read).get("generation").getAsString()).isEqualTo("unrenamed");
    assertThat(older).doesNotExist();
  }

  @Test
  void locatesTheFileLikeTheCodexCli() {
    Map<String, String> env = Map.of("HOME", "/home/u", "CODEX_HOME", "/srv/codex");
    assertThat(AuthFile.resolve(null, env::get).path()).isEqualTo(Path.of("/srv/codex/auth.json"));
    assertThat(AuthFile.resolve(null, Map.of("HOME", "/home/u")::get).path())
        .isEqualTo(Path.of("/home/u/.codex/auth.json"));
    assertThat(AuthFile.resolve(new CodexOAuthSettings("~/alt/auth.json", null, null), env::get).path())
        .isEqualTo(Path.of("/home/u/alt/auth.json"));
    assertThat(AuthFile.resolve(new CodexOAuthSettings("/etc/x.json", null, null), env::get).path())
        .isEqualTo(Path.of("/etc/x.json"));
    assertThat(AuthFile.resolve(null, Map.<String, String>of()::get).path())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".codex", "auth.json"));
  }
}
