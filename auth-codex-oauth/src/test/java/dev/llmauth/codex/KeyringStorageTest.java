package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.CredentialNotFoundException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Codex CLI configured to keep its sign-in in the OS keyring: errors and availability say so and how to switch. */
class KeyringStorageTest {
  @TempDir Path home;
  CodexFixture f;
  final CodexOAuthMethod provider = new CodexOAuthMethod();

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private Path config(String toml) throws IOException {
    Path config = f.authFile.resolveSibling("config.toml");
    Files.createDirectories(config.getParent());
    Files.writeString(config, toml);
    return config;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cli_auth_credentials_store = \"keyring\"\n",
      "model = \"gpt-5\"\n# comment\ncli_auth_credentials_store = 'keyring' # kept in the keychain\n[profiles.x]\n",
      "cli_auth_credentials_store = \"auto\"\n"})
  void withoutAFileAvailabilitySaysTheSignInIsInTheKeyringAndHowToSwitch(String toml) throws IOException {
    Path config = config(toml);

    Availability a = provider.availability(f.config(), f.context());

    assertThat(a.available()).isFalse();
    assertThat(a.detail()).startsWith("no sign-in stored at " + f.authFile).contains("OS keyring")
        .contains(config.toString()).contains("cli_auth_credentials_store = \"file\"").contains("codex login");
  }

  @Test
  void theErrorOfAPinnedMethodSaysItToo() throws IOException {
    config("cli_auth_credentials_store = \"keyring\"\n");
    ProviderConfig pinned = ProviderConfig.builder("codex").type(dev.llmauth.api.config.ProviderType.CODEX)
        .authMode("codex-oauth").build();
    try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(pinned)).environment(f.env()).tokenCache(f.cache)
        .credentialMethods(List.of(provider)).build()) {
      assertThatThrownBy(() -> auth.authenticator("codex")).isInstanceOf(CredentialNotFoundException.class)
          .hasMessageContaining("OS keyring").hasMessageContaining("cli_auth_credentials_store = \"file\"");
    }
  }

  @Test
  void aRequestAfterTheFileWasRemovedSaysItToo() throws IOException {
    f.writeSignIn(Duration.ofMinutes(-1), Map.of());
    var auth = f.authenticator();
    Files.delete(f.authFile);
    config("cli_auth_credentials_store = \"keyring\"\n");

    assertThatThrownBy(() -> CodexFixture.authorize(auth)).isInstanceOf(TokenException.class)
        .hasMessageContaining("OS keyring").hasMessageContaining("cli_auth_credentials_store = \"file\"");
  }

  @Test
  void fileStorageOrAutoWithAFileIsTheUsualCase() throws IOException {
    config("cli_auth_credentials_store = \"file\"\n");
    assertThat(provider.availability(f.config(), f.context()).detail()).doesNotContain("keyring")
        .contains("codex login");
    config("[profiles.work]\ncli_auth_credentials_store = \"keyring\"\n");
    assertThat(provider.availability(f.config(), f.context()).detail()).as("not a top-level key")
        .doesNotContain("keyring");
    f.writeSignIn(Duration.ofHours(1), Map.of());
    config("cli_auth_credentials_store = \"auto\"\n");
    assertThat(provider.availability(f.config(), f.context()))
        .isEqualTo(Availability.available("sign-in stored at " + f.authFile));
  }

  @Test
  void keyringStorageWithAStaleFileIsAvailableWithANote() throws IOException {
    f.writeSignIn(Duration.ofHours(1), Map.of());
    config("cli_auth_credentials_store = \"keyring\"\n");

    Availability a = provider.availability(f.config(), f.context());

    assertThat(a.available()).isTrue();
    assertThat(a.detail()).contains("does not use this file").contains("cli_auth_credentials_store = \"file\"");
  }
}
