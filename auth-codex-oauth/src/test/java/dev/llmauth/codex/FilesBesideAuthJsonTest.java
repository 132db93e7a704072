package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmauth.api.spi.Availability;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files planted beside auth.json, and an auth.json others can change. */
class FilesBesideAuthJsonTest {
  @TempDir Path home;
  CodexFixture f;
  Path lock;

  @BeforeEach
  void setUp() throws IOException {
    f = new CodexFixture(home);
    Files.createDirectories(f.authFile.getParent());
    lock = f.authFile.resolveSibling("auth.json.lock");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private UserPrincipal someoneElse() throws IOException {
    UserPrincipal me = AuthFile.currentUser(home);
    UserPrincipal nobody;
    try {
      nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    } catch (IOException e) {
      nobody = null;
    }
    assumeTrue(me != null && nobody != null && !nobody.equals(me), "a second user to hand files to");
    return nobody;
  }

  @Test
  void aPlantedLockLinkToANewFileElsewhereCreatesNothing() throws IOException {
    Path elsewhere = home.resolve("elsewhere").resolve("created-by-the-lock");
    Files.createDirectories(elsewhere.getParent());
    Files.createSymbolicLink(lock, elsewhere);
    AuthFile file = new AuthFile(f.authFile);

    assertThatThrownBy(() -> file.locked(() -> "ran")).isInstanceOf(FileSystemException.class)
        .hasMessageContaining(lock.toString()).hasMessageContaining("symbolic link");
    assertThat(elsewhere).doesNotExist();
  }

  @Test
  void aPlantedLockLinkToAnExistingFileIsNotOpened() throws IOException {
    Path victim = home.resolve("victim");
    Files.writeString(victim, "keep");
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
    Files.createSymbolicLink(lock, victim);
    AuthFile file = new AuthFile(f.authFile);

    assertThatThrownBy(() -> file.locked(() -> "ran")).isInstanceOf(FileSystemException.class)
        .hasMessageContaining("symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("keep");
    assertThat(Files.isSymbolicLink(lock)).isTrue();
  }

  @Test
  void aLockThatIsADirectoryOrSomeoneElsesFileIsRefused() throws IOException {
    AuthFile file = new AuthFile(f.authFile);
    Files.createDirectory(lock);
    assertThatThrownBy(() -> file.locked(() -> "ran")).isInstanceOf(IOException.class);
    Files.delete(lock);

    UserPrincipal other = someoneElse();
    Files.writeString(lock, "");
    Files.setOwner(lock, other);
    assertThatThrownBy(() -> file.locked(() -> "ran")).isInstanceOf(FileSystemException.class)
        .hasMessageContaining("owned by " + other.getName());
    Files.delete(lock);
    assertThat(file.locked(() -> "ran")).isEqualTo("ran");
    assertThat(Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void aPlantedTemporaryFileOfAnotherUserIsNotTakenForAnUnrenamedVersion() throws IOException {
    Files.writeString(f.authFile, "{\"generation\":\"mine\"}");
    Files.setLastModifiedTime(f.authFile, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
    Path planted = f.authFile.resolveSibling(".auth.json.666.tmp");
    Files.writeString(planted, "{\"generation\":\"planted\"}");
    Files.setOwner(planted, someoneElse());
    AuthFile file = new AuthFile(f.authFile);

    assertThat(file.locked(file::read).get("generation").getAsString()).isEqualTo("mine");
    assertThat(planted).doesNotExist();
  }

  @Test
  void availabilityWarnsWhenOthersCanChangeTheSignIn() throws IOException {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    Path dir = f.authFile.getParent();
    CodexOAuthMethod provider = new CodexOAuthMethod();
    assertThat(provider.availability(f.config(), f.context()).detail()).doesNotContain("warning");

    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));
    Files.setPosixFilePermissions(f.authFile, PosixFilePermissions.fromString("rw-rw-rw-"));
    Availability a = provider.availability(f.config(), f.context());
    assertThat(a.available()).isTrue();
    assertThat(a.detail()).contains("warning: the directory " + dir + " of the sign-in is writable by its group")
        .contains("chmod 700 " + dir)
        .contains("warning: the sign-in file " + f.authFile + " is writable by everyone")
        .contains("chmod 600 " + f.authFile);

    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(f.authFile, PosixFilePermissions.fromString("rw-------"));
    UserPrincipal other = someoneElse();
    Files.setOwner(f.authFile, other);
    assertThat(provider.availability(f.config(), f.context()).detail())
        .contains("warning: the sign-in file " + f.authFile + " is owned by " + other.getName())
        .doesNotContain("writable");
  }
}
