package com.example.filetoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.ConfigConflict;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The complete method that docs/conformance-kit.md shows ("A method's configuration block"): a static token kept in
 * the method's own {@code vault} block, parsed, checked and redacted through the SPI. Keep the doc's code in step
 * with this file.
 */
class ConfigBlockExampleTest {
  // --- the example, as in the doc ---

  /** The method's typed settings; its toString() never shows the token. */
  record VaultSettings(String label, Secret token) {}

  /** A credential method configured by {@code "vault": {"label": "...", "token": "..."}}. */
  public static final class VaultMethod implements CredentialMethod {
    @Override
    public String method() {
      return "vault";
    }

    @Override
    public int priority() {
      return 500;
    }

    @Override
    public Set<String> configKeys() {
      return Set.of("vault");
    }

    @Override
    public Set<String> secretFields() {
      return Set.of("vault.token");
    }

    @Override
    public List<ConfigConflict> conflicts() {
      return List.of(new ConfigConflict("vault", "apiKey", "remove apiKey to use the vault token, or remove vault"));
    }

    @Override
    public @Nullable VaultSettings parseConfig(ConfigNode provider) {
      ConfigNode block = provider.get("vault");
      if (block.isMissing()) {
        return null;
      }
      block.object("label", "token");
      Secret token = block.get("token").secret();
      if (token == null) {
        throw block.get("token").error("missing", "set token, for example to \"${env:VAULT_TOKEN}\"");
      }
      String label = block.get("label").text();
      return new VaultSettings(label == null ? "default" : label, token);
    }

    @Override
    public Availability availability(ProviderConfig config, ResolutionContext context) {
      VaultSettings settings = config.methodConfig(this, VaultSettings.class);
      return settings == null ? Availability.unavailable("no vault block")
          : Availability.available("vault token " + settings.label());
    }

    @Override
    public Credential create(ProviderConfig config, ResolutionContext context) {
      VaultSettings settings = java.util.Objects.requireNonNull(config.methodConfig(this, VaultSettings.class));
      AccessToken token = AccessToken.nonExpiring(settings.token());
      return new Credential() {
        @Override
        public String method() {
          return "vault";
        }

        @Override
        public TokenUse use() {
          return TokenUse.BEARER;
        }

        @Override
        public String describe() {
          return "vault token " + settings.label();
        }

        @Override
        public CompletableFuture<AccessToken> token() {
          return CompletableFuture.completedFuture(token);
        }

        @Override
        public boolean invalidate(AccessToken rejected) {
          return false;
        }
      };
    }
  }

  // --- what the example does ---

  private static final String TOKEN = "vault-token-never-shown-8c2f";
  private static final List<CredentialMethod> METHODS = List.of(new VaultMethod());

  private static LlmAuthConfig parse(String provider) {
    return LlmAuthConfig.parse("{\"providers\": {\"p\": " + provider + "}}", "file /etc/llm-auth.jsonc",
        Map.of("VAULT_TOKEN", TOKEN), METHODS);
  }

  @Test
  void theBlockIsParsedWithEnvironmentReferencesResolvedAndTheTokenRedacted() {
    LlmAuthConfig config = parse("{\"vault\": {\"label\": \"ci\", \"token\": \"${env:VAULT_TOKEN}\"}}");
    ProviderConfig p = config.provider("p");
    VaultSettings settings = p.methodConfig(new VaultMethod(), VaultSettings.class);
    assertThat(settings.label()).isEqualTo("ci");
    assertThat(settings.token().reveal()).isEqualTo(TOKEN);
    assertThat(p.toString()).doesNotContain(TOKEN).contains("vault=set (env VAULT_TOKEN via file /etc/llm-auth.jsonc)");
    assertThat(parse("{\"vault\": {\"token\": \"" + TOKEN + "\"}}").provider("p").toString())
        .doesNotContain(TOKEN).contains("token=[redacted]");
    try (LlmAuth auth = LlmAuth.builder().config(config).credentialMethods(METHODS).environment(Map.of())
        .build()) {
      assertThat(auth.authenticator("p").method()).isEqualTo("vault");
    }
  }

  @Test
  void errorsNameTheFieldPathAndTheFix() {
    assertThatThrownBy(() -> parse("{\"vault\": {\"lable\": \"ci\", \"token\": \"t\"}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("file /etc/llm-auth.jsonc: provider 'p', providers.p.vault.lable: unknown field; use label, token");
    assertThatThrownBy(() -> parse("{\"vault\": {\"token\": 7}}"))
        .hasMessageContaining("providers.p.vault.token: expected a string but found a number");
    assertThatThrownBy(() -> parse("{\"vault\": {}}"))
        .hasMessageContaining("providers.p.vault.token: missing; set token");
    assertThatThrownBy(() -> parse("{\"apiKey\": \"k\", \"vault\": {\"token\": \"t\"}}"))
        .hasMessageContaining("providers.p.vault: vault cannot be combined with apiKey (providers.p.apiKey); "
            + "remove apiKey to use the vault token, or remove vault");
  }
}
