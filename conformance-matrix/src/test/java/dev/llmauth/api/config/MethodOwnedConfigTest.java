package dev.llmauth.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.apikey.ApiKeyMethod;
import dev.llmauth.entra.EntraMethod;
import dev.llmauth.entra.EntraSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The core parses no method's settings: each method parses and checks its own, and states its own conflicts. */
class MethodOwnedConfigTest {
  private static final String MI_WITH_KEY = "{\"providers\": {\"p\": {\"baseUrl\": \"https://h\", "
      + "\"managedIdentity\": {\"clientId\": \"c\", \"objectId\": \"o\"}, \"apiKey\": \"k\"}}}";

  @Test
  void withoutTheEntraMethodItsFieldsAreNeitherParsedNorRefused() {
    ProviderConfig p = LlmAuthConfig.parse(MI_WITH_KEY, "test", Map.of(), List.of(new ApiKeyMethod()))
        .provider("p");
    assertThat(p.methodConfigs()).containsOnlyKeys(ApiKeyMethod.METHOD);
    assertThat(p.unclaimedFields()).containsExactly("managedIdentity");
    assertThat(p.toString()).contains("extensions=[managedIdentity]").doesNotContain("clientId");
  }

  @Test
  void theEntraMethodStatesItsConflictAndParsesItsBlock() {
    List<dev.llmauth.api.spi.CredentialMethod> both = List.of(new ApiKeyMethod(),
        new EntraMethod());
    assertThatThrownBy(() -> LlmAuthConfig.parse(MI_WITH_KEY, "test", Map.of(), both))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("providers.p.managedIdentity: managedIdentity cannot be combined with apiKey");
    ProviderConfig p = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"baseUrl\": \"https://h\", \"managedIdentity\": "
        + "{\"clientId\": \"c\"}}}}", "test", Map.of(), both).provider("p");
    assertThat(p.methodConfig(new EntraMethod(), EntraSettings.class))
        .isEqualTo(new EntraSettings(true, "clientId", "c", EntraSettings.DEFAULT_SCOPE));
  }

  @Test
  void entraRefusesApiKeyAndBearerTokenBesideAManagedIdentityWhetherOrNotTheApiKeyMethodIsInstalled() {
    for (List<dev.llmauth.api.spi.CredentialMethod> methods : List.of(List.<dev.llmauth.api.spi.CredentialMethod>of(
        new EntraMethod()), List.of(new ApiKeyMethod(), new EntraMethod()))) {
      for (String field : List.of("apiKey", "bearerToken")) {
        assertThatThrownBy(() -> LlmAuthConfig.parse("{\"providers\": {\"p\": {\"baseUrl\": \"https://h\", "
            + "\"managedIdentity\": {}, \"" + field + "\": \"sk-conflict\"}}}", "test", Map.of(), methods))
            .as(field + " with " + methods).isInstanceOf(ConfigException.class)
            .hasMessage("test: provider 'p', providers.p.managedIdentity: managedIdentity cannot be combined with "
                + field + " (providers.p." + field + "); remove " + field + " to authenticate with Entra ID, or "
                + "remove managedIdentity to send the " + field)
            .hasMessageNotContaining("sk-conflict");
      }
      ProviderConfig p = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"baseUrl\": \"https://h\", \"entra\": {}, "
          + "\"apiKey\": \"sk-beside-entra\"}}}", "test", Map.of(), methods).provider("p");
      assertThat(p.methodConfig(new EntraMethod(), EntraSettings.class)).as("apiKey with entra is no conflict")
          .isEqualTo(new EntraSettings(false, null, null, EntraSettings.DEFAULT_SCOPE));
      assertThat(p.toString()).doesNotContain("sk-beside-entra");
    }
  }

  @Test
  void oldAuthModeSpellingsPinTheirMethodWithADeprecationWarning() {
    List<String> warnings = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        warnings.add(java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger("dev.llmauth.api.internal");
    logger.addHandler(handler);
    LlmAuthConfig config;
    try {
      config = LlmAuthConfig.parse("{\"providers\": {\"k\": {\"authMode\": \"api-key\", \"apiKey\": \"sk\"}, "
          + "\"c\": {\"authMode\": \"codexOAuth\"}}}", "test", Map.of());
    } finally {
      logger.removeHandler(handler);
    }
    assertThat(warnings).contains(
        "Provider 'k': authMode api-key is deprecated (providers.k.authMode); write apiKey",
        "Provider 'c': authMode codexOAuth is deprecated (providers.c.authMode); write codex-oauth");
    try (LlmAuth auth = LlmAuth.builder().config(config).environment(Map.of()).build()) {
      assertThat(auth.authenticator("k").method()).isEqualTo("api-key");
      assertThat(auth.explain("c").candidates()).filteredOn(c -> !c.detail().equals("authMode is pinned to codexOAuth"))
          .extracting(dev.llmauth.api.Resolution.Candidate::method).containsExactly("codex-oauth");
    }
  }
}
