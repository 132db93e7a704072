package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.conformance.mock.MockIdentityServer;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EntraMethodTest {
  private static final String BASE = "https://example.openai.azure.com/openai/v1";
  private final TokenCache cache = TokenCache.builder().build();
  private final EntraMethod provider = new EntraMethod();

  @AfterEach
  void close() {
    cache.close();
  }

  private ResolutionContext context(Map<String, String> env) {
    return new ResolutionContext() {
      @Override
      public TokenCache tokenCache() {
        return cache;
      }

      @Override
      public Map<String, String> environment() {
        return env;
      }

      @Override
      public InstantSource clock() {
        return InstantSource.system();
      }
    };
  }

  private static final Map<String, String> APP_SERVICE = Map.of("IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token",
      "IDENTITY_HEADER", "header-secret-123");

  @Test
  @DisplayName("method id, authMode and priority")
  void identity() {
    assertThat(provider.method()).isEqualTo("entra");
    assertThat(provider.authMode()).isEqualTo("entra");
    assertThat(provider.priority()).isEqualTo(300);
  }

  @Test
  @DisplayName("available for managedIdentity, entra, authMode entra and azure-openai without a key; detail names the source")
  void availability() {
    ProviderConfig mi = ProviderConfig.builder("p").baseUrl(BASE)
        .set("managedIdentity", Map.of("clientId", "cid", "scope", EntraSettings.DEFAULT_SCOPE)).build();
    assertThat(provider.availability(mi, context(APP_SERVICE)))
        .isEqualTo(Availability.available("managed identity (user-assigned by clientId) via App Service "
            + "(managedIdentity is set)"));
    assertThat(provider.availability(mi, context(Map.of())).detail())
        .startsWith("managed identity (user-assigned by clientId) via IMDS");
    ProviderConfig chain = ProviderConfig.builder("p").baseUrl(BASE).set("entra", Map.of("scope", "api://gw/.default"))
        .build();
    assertThat(provider.availability(chain, context(Map.of("AZURE_TOKEN_CREDENTIALS", "dev"))).detail())
        .isEqualTo("DefaultAzureCredential narrowed to dev by AZURE_TOKEN_CREDENTIALS for scope api://gw/.default "
            + "(entra is set)");
    ProviderConfig azure = ProviderConfig.builder("p").type(ProviderType.AZURE_OPENAI).baseUrl(BASE).build();
    assertThat(provider.availability(azure, context(Map.of())).detail()).contains("type azure-openai without apiKey");
    ProviderConfig pinned = ProviderConfig.builder("p").baseUrl(BASE).authMode("entra").build();
    assertThat(provider.availability(pinned, context(Map.of())).available()).isTrue();
  }

  @Test
  @DisplayName("unavailable without Entra settings, or without a baseUrl")
  void unavailable() {
    ProviderConfig keyed = ProviderConfig.builder("p").set("apiKey", "k").build();
    assertThat(provider.availability(keyed, context(Map.of())).available()).isFalse();
    ProviderConfig keyedAzure = ProviderConfig.builder("p").type(ProviderType.AZURE_OPENAI).baseUrl(BASE)
        .set("apiKey", "k").build();
    assertThat(provider.availability(keyedAzure, context(Map.of())).available()).isFalse();
    ProviderConfig noBase = new ProviderConfig("p", ProviderType.AZURE_OPENAI, null, null, null, null,
        Map.of(), false, ConfigNode.of("p", Map.of("managedIdentity", Map.of()), "test"),
        Map.of(EntraMethod.METHOD, new EntraSettings(true, null, null, EntraSettings.DEFAULT_SCOPE)),
        java.util.Set.of("managedIdentity", "entra"), java.util.Set.of(), Map.of());
    Availability a = provider.availability(noBase, context(Map.of()));
    assertThat(a.available()).isFalse();
    assertThat(a.detail()).startsWith("no baseUrl");
    assertThatThrownBy(() -> provider.create(noBase, context(Map.of())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("baseUrl");
  }

  @Test
  @DisplayName("credentials for the same identity, scope and environment share one token source")
  void sharedSource() {
    ProviderConfig mi = ProviderConfig.builder("a").baseUrl(BASE).set("managedIdentity", java.util.Map.of())
        .build();
    Credential one = provider.create(mi, context(APP_SERVICE));
    Credential two = provider.create(ProviderConfig.builder("b").baseUrl(BASE)
        .set("managedIdentity", java.util.Map.of()).build(), context(APP_SERVICE));
    assertThat(one.describe()).isEqualTo("managed identity (system-assigned) via App Service");
    assertThat(one.method()).isEqualTo("entra");
    assertThat(one.use()).isEqualTo(Credential.TokenUse.BEARER);
    assertThat(one.toString()).doesNotContain("header-secret-123");
    one.token().cancel(true);
    assertThat(cache.stats().entries()).isEqualTo(1);
    two.token().cancel(true);
    assertThat(cache.stats().entries()).as("same key, same entry").isEqualTo(1);
  }

  @Test
  @DisplayName("an environment that differs from the process's, where MSAL reads it, is refused without any call")
  void environmentMismatch() throws Exception {
    assumeTrue(System.getenv("IDENTITY_ENDPOINT") == null && System.getenv("AZURE_POD_IDENTITY_AUTHORITY_HOST") == null,
        "the test JVM must not run on an Azure host");
    try (MockIdentityServer mock = new MockIdentityServer().start()) {
      Map<String, String> env = new HashMap<>(mock.appServiceEnvironment());
      Credential c = provider.create(ProviderConfig.builder("p").baseUrl(BASE)
          .set("managedIdentity", java.util.Map.of()).build(), context(env));
      assertThatThrownBy(() -> c.token().get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(TokenException.class, e -> {
            assertThat(e.isPermanent()).isTrue();
            assertThat(e.getMessage()).contains("IDENTITY_ENDPOINT, IDENTITY_HEADER")
                .contains("process environment").doesNotContain(mock.identityHeader());
          });
      assertThat(mock.recorded()).isEmpty();
    }
  }
}
