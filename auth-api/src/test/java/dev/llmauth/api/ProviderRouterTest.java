package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential.TokenUse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ProviderRouter picks a provider per request")
class ProviderRouterTest {
  private static RequestAuthenticator authenticator(String provider) {
    return RequestAuthenticator.of(ProviderConfig.builder(provider).build(),
        new FixedCredential(provider + "-token", TokenUse.BEARER, false));
  }

  private final RequestAuthenticator alpha = authenticator("alpha");
  private final RequestAuthenticator beta = authenticator("beta");

  @Test
  @DisplayName("the named provider's authenticator, or the default's when none is named")
  void routesByNameAndDefault() {
    ProviderRouter router = ProviderRouter.of(List.of(alpha, beta), "beta");

    assertThat(router.authenticator("alpha")).isSameAs(alpha);
    assertThat(router.authenticator("beta")).isSameAs(beta);
    assertThat(router.authenticator(null)).isSameAs(beta);
    assertThat(router.providers()).containsExactlyInAnyOrder("alpha", "beta");
    assertThat(router).hasToString("ProviderRouter[providers=alpha, beta, default=beta]");
  }

  @Test
  @DisplayName("an unknown provider is a ConfigException naming it and the known ones, never the default")
  void unknownProviderFails() {
    ProviderRouter router = ProviderRouter.of(List.of(alpha, beta), "alpha");

    assertThatThrownBy(() -> router.authenticator("gamma")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("provider 'gamma'").hasMessageContaining("known providers: alpha, beta");
    assertThatThrownBy(() -> router.authenticator("x\r\ny")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("provider 'x??y'");
  }

  @Test
  @DisplayName("no provider named and no default is a ConfigException that says how to name one")
  void noNameWithoutDefaultFails() {
    ProviderRouter router = ProviderRouter.of(List.of(alpha, beta), null);

    assertThatThrownBy(() -> router.authenticator(null)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("names no provider").hasMessageContaining(ProviderRouter.HEADER)
        .hasMessageContaining(ProviderRouter.ATTRIBUTE);
  }

  @Test
  @DisplayName("a default that is not among the providers, or two authenticators for one provider, are refused")
  void badRoutersAreRefused() {
    assertThatThrownBy(() -> ProviderRouter.of(List.of(alpha), "beta")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("default provider 'beta'");
    assertThatThrownBy(() -> ProviderRouter.of(List.of(alpha, authenticator("alpha")), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two authenticators for provider 'alpha'");
    assertThatThrownBy(() -> new ProviderRouter.Route(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("over LlmAuth: every configured provider, resolved on first use; an unknown default is refused")
  void overLlmAuth() {
    StubMethod key = new StubMethod("api-key", 100, c -> !c.settings().get("key").isUnset());
    try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(
            ProviderConfig.builder("a").set("key", "sk-a").build(),
            ProviderConfig.builder("b").set("key", "sk-b").build()))
        .credentialMethods(List.of(key)).environment(Map.of()).build()) {
      ProviderRouter router = ProviderRouter.of(auth, null);

      assertThat(router.providers()).containsExactlyInAnyOrder("a", "b");
      assertThat(router.authenticator("b")).isSameAs(auth.authenticator("b"));
      assertThatThrownBy(() -> router.authenticator("c")).isInstanceOf(ConfigException.class)
          .hasMessageContaining("provider 'c'");
      assertThatThrownBy(() -> ProviderRouter.of(auth, "c")).isInstanceOf(ConfigException.class)
          .hasMessageContaining("no provider named 'c'");
    }
  }
}
