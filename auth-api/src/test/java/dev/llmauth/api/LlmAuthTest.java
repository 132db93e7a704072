package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.internal.MethodDiscovery;
import dev.llmauth.api.spi.CredentialMethod;
import java.net.URI;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("LlmAuth resolves a method per provider")
class LlmAuthTest {
  private final StubMethod key = new StubMethod("api-key", 100, c -> !c.settings().get("key").isUnset());
  private final StubMethod codex = new StubMethod("codex-oauth", 200, c -> !c.settings().get("signedIn").isMissing());
  private final StubMethod entra = new StubMethod("entra", 300, c -> c.baseUrl() != null);

  /** A provider validated with the stub methods, whose authMode values are theirs. */
  private ProviderConfig.Builder builder(String name) {
    return ProviderConfig.builder(name).methods(List.of(entra, codex, key));
  }

  private LlmAuth auth(ProviderConfig... providers) {
    return LlmAuth.builder().config(LlmAuthConfig.of(providers)).credentialMethods(List.of(entra, codex, key))
        .environment(Map.of()).build();
  }

  @Nested
  @DisplayName("in priority order")
  class Order {
    @Test
    @DisplayName("the first available method wins; later available ones are reported as such")
    void firstAvailableWins() {
      try (LlmAuth a = auth(ProviderConfig.builder("p").set("key", "sk").baseUrl("https://x.test").build())) {
        assertThat(a.authenticator("p").method()).isEqualTo("api-key");
        Resolution r = a.explain("p");
        assertThat(r.candidates()).extracting(Resolution.Candidate::method, Resolution.Candidate::status)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple("api-key", Resolution.Status.CHOSEN),
                org.assertj.core.groups.Tuple.tuple("codex-oauth", Resolution.Status.SKIPPED),
                org.assertj.core.groups.Tuple.tuple("entra", Resolution.Status.AVAILABLE));
      }
    }

    @Test
    @DisplayName("without a key a stored sign-in wins over Entra")
    void codexBeforeEntra() {
      try (LlmAuth a = auth(ProviderConfig.builder("p").baseUrl("https://x.test")
          .set("signedIn", true).build())) {
        assertThat(a.authenticator("p").method()).isEqualTo("codex-oauth");
      }
    }

    @Test
    @DisplayName("nothing configured: credential_not_found listing each method and why")
    void noneAvailable() {
      try (LlmAuth a = auth(ProviderConfig.builder("p").build())) {
        assertThatThrownBy(() -> a.authenticator("p")).isInstanceOf(CredentialNotFoundException.class)
            .hasMessageContaining("no credential for provider 'p'")
            .hasMessageContaining("api-key: no api-key configured; codex-oauth: no codex-oauth configured; "
                + "entra: no entra configured")
            .extracting(e -> ((AuthException) e).code()).isEqualTo("credential_not_found");
      }
    }

    @Test
    @DisplayName("resolution creates the credential but fetches no token; the authenticator is reused")
    void noTokenAtResolution() {
      try (LlmAuth a = auth(ProviderConfig.builder("p").set("key", "sk").build())) {
        RequestAuthenticator first = a.authenticator("p");
        assertThat(a.authenticator("p")).isSameAs(first);
        assertThat(key.created).hasValue(1);
        assertThat(key.tokens).hasValue(0);
        first.authorize(OutgoingRequest.of("GET", URI.create("https://x.test/v1"), Map.of()));
        assertThat(key.tokens).hasValue(1);
        assertThat(a.createdTokenCache()).as("a static key needs no token cache").isFalse();
        assertThat(codex.checked).as("methods after the chosen one are not asked").hasValue(0);
        assertThat(entra.checked).hasValue(0);
      }
    }
  }

  @Nested
  @DisplayName("with authMode pinned")
  class Pinned {
    @Test
    @DisplayName("only the pinned method is considered")
    void pinnedOnly() {
      try (LlmAuth a = auth(builder("p").set("key", "sk").baseUrl("https://x.test")
          .authMode("entra").build())) {
        assertThat(a.authenticator("p").method()).isEqualTo("entra");
        assertThat(a.explain("p").candidates()).filteredOn(c -> c.method().equals("api-key"))
            .extracting(Resolution.Candidate::detail).containsExactly("authMode is pinned to entra");
      }
    }

    @Test
    @DisplayName("a pinned method that cannot serve says why")
    void pinnedUnavailable() {
      try (LlmAuth a = auth(builder("p").set("key", "sk").authMode("codex-oauth").build())) {
        assertThatThrownBy(() -> a.authenticator("p")).isInstanceOf(CredentialNotFoundException.class)
            .hasMessageContaining("codex-oauth: no codex-oauth configured")
            .hasMessageContaining("authMode pins codex-oauth");
      }
    }

    @Test
    @DisplayName("a pinned method that is not installed is a config error naming the field and the artifacts")
    void pinnedNotInstalled() {
      try (LlmAuth a = auth(builder("p").authMode("codex-oauth").build())) {
        LlmAuth none = LlmAuth.builder().config(a.config()).credentialMethods(List.of(key)).build();
        assertThatThrownBy(() -> none.authenticator("p")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("authMode 'codex-oauth'").hasMessageContaining("auth-codex-oauth")
            .extracting(e -> ((ConfigException) e).field()).isEqualTo("providers.p.authMode");
      }
    }
  }

  @Nested
  @DisplayName("errors")
  class Errors {
    @Test
    @DisplayName("an unknown provider name lists the known ones")
    void unknownProvider() {
      try (LlmAuth a = auth(ProviderConfig.builder("openai").build(), ProviderConfig.builder("azure").build())) {
        assertThatThrownBy(() -> a.authenticator("nope")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("no provider named 'nope'").hasMessageContaining("openai, azure");
      }
    }

    @Test
    @DisplayName("no method installed at all: an error naming the artifacts to add")
    void zeroProviders() {
      LlmAuth a = LlmAuth.builder().config(LlmAuthConfig.of(ProviderConfig.builder("p").build()))
          .credentialMethods(List.of()).build();
      assertThatThrownBy(() -> a.authenticator("p")).isInstanceOf(CredentialNotFoundException.class)
          .hasMessageContaining("no credential method is installed")
          .hasMessageContaining("dev.llmauth:auth-apikey");
    }

    @Test
    @DisplayName("a provider whose availability check throws is skipped with the exception type, not a crash")
    void throwingAvailability() {
      StubMethod broken = new StubMethod("broken", 50, c -> {
        throw new IllegalStateException("bug");
      });
      LlmAuth a = LlmAuth.builder().config(LlmAuthConfig.of(ProviderConfig.builder("p").set("key", "k")
          .build())).credentialMethods(List.of(broken, key)).build();
      assertThat(a.authenticator("p").method()).isEqualTo("api-key");
      assertThat(a.explain("p").candidates().get(0).detail()).contains("IllegalStateException");
    }
  }

  @Nested
  @DisplayName("discovery with ServiceLoader")
  class Discovery {
    @Test
    @DisplayName("finds a provider declared in META-INF/services")
    void findsDeclared() {
      List<CredentialMethod> found = MethodDiscovery.load(getClass().getClassLoader());
      assertThat(found).extracting(CredentialMethod::method).contains("discovered");
      try (LlmAuth a = LlmAuth.builder().config(LlmAuthConfig.of(ProviderConfig.builder("p").build()))
          .classLoader(getClass().getClassLoader()).build()) {
        assertThat(a.authenticator("p").method()).isEqualTo("discovered");
      }
    }

    @Test
    @DisplayName("finds none where none is declared")
    void findsNone() throws Exception {
      try (URLClassLoader empty = new URLClassLoader(new java.net.URL[0], ClassLoader.getPlatformClassLoader())) {
        assertThat(MethodDiscovery.load(empty)).isEmpty();
      }
    }

    @Test
    @DisplayName("several providers are ordered by priority; of two with one method id the earlier wins")
    void severalAndDuplicates() {
      StubMethod dup = new StubMethod("api-key", 150, c -> true);
      assertThat(MethodDiscovery.select(List.of(entra, dup, key, codex), null))
          .containsExactly(key, codex, entra);
    }

    @Test
    @DisplayName("the llmauth.methods filter keeps only the named methods")
    void filter() {
      assertThat(MethodDiscovery.select(List.of(entra, key, codex), " entra , api-key"))
          .containsExactly(key, entra);
    }
  }

  @Nested
  @DisplayName("with a provider whose environment variable is not set")
  class Unresolved {
    private static final String FILE = "{\"providers\": {\"ok\": {\"baseUrl\": \"https://ok.test/v1\"}, "
        + "\"broken\": {\"baseUrl\": \"https://${env:LLM_AUTH_UNSET_HOST}/v1\"}}}";
    private static final String MESSAGE = "test.jsonc: provider 'broken', providers.broken.baseUrl: refers to "
        + "${env:LLM_AUTH_UNSET_HOST}, but the environment variable LLM_AUTH_UNSET_HOST is not set or empty; set "
        + "LLM_AUTH_UNSET_HOST, or write the value in the file";

    private LlmAuth load() {
      List<CredentialMethod> methods = List.of(entra, codex, key);
      return LlmAuth.builder().config(LlmAuthConfig.parse(FILE, "test.jsonc", Map.of(), methods))
          .credentialMethods(methods).environment(Map.of()).build();
    }

    @Test
    @DisplayName("the other providers work, and using it fails with its own error")
    void othersWorkAndItFailsOnUse() {
      try (LlmAuth a = load()) {
        assertThat(a.authenticator("ok").method()).isEqualTo("entra");
        assertThatThrownBy(() -> a.authenticator("broken")).isInstanceOf(ConfigException.class).hasMessage(MESSAGE);
        assertThatThrownBy(() -> a.explain("broken")).isInstanceOf(ConfigException.class).hasMessage(MESSAGE);
      }
    }

    @Test
    @DisplayName("a router knows it, and a request naming it fails with its own error")
    void routed() {
      try (LlmAuth a = load()) {
        ProviderRouter router = ProviderRouter.of(a, "broken");
        assertThat(router.providers()).containsExactlyInAnyOrder("ok", "broken");
        assertThat(router.authenticator("ok").method()).isEqualTo("entra");
        assertThatThrownBy(() -> router.authenticator(null)).isInstanceOf(ConfigException.class).hasMessage(MESSAGE);
        assertThatThrownBy(() -> ProviderRouter.of(a, "nope")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("known providers: ok, broken");
      }
    }
  }
}
