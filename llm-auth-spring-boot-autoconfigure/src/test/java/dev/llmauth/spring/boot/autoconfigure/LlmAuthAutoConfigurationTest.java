package dev.llmauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import dev.llmauth.micrometer.LlmAuthMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

@DisplayName("LlmAuthAutoConfiguration")
class LlmAuthAutoConfigurationTest {
  private static final String KEY = "sk-spring-secret-4f1e0a";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LlmAuthAutoConfiguration.class));

  /** The failure analysis of a start-up that failed, as Spring Boot would print it. */
  private static FailureAnalysis analysis(Throwable failure) {
    FailureAnalysis a = new LlmAuthFailureAnalyzer().analyze(failure);
    assertThat(a).as("the analyzer recognises the failure").isNotNull();
    return a;
  }

  @Nested
  @DisplayName("llmauth.providers.*")
  class Providers {
    @Test
    @DisplayName("an API key in a property: the provider authenticates with it")
    void apiKey() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY).run(context -> {
        RequestAuthenticators authenticators = context.getBean(RequestAuthenticators.class);
        assertThat(authenticators.providers()).containsExactly("openai");
        assertThat(authenticators.get("openai").method()).isEqualTo("api-key");
        assertThat(context.getBean(LlmAuth.class).config().provider("openai")
            .methodConfig(new dev.llmauth.apikey.ApiKeyMethod(), dev.llmauth.apikey.ApiKeySettings.class).apiKey())
            .isEqualTo(Secret.of(KEY));
      });
    }

    @Test
    @DisplayName("relaxed names map onto the file's fields, nested objects and headers included")
    void relaxedBinding() {
      runner.withPropertyValues(
          "llmauth.providers.azure.type=azure-openai",
          "llmauth.providers.azure.base-url=https://my.openai.azure.com/openai/v1",
          "llmauth.providers.azure.managedIdentity.client-id=11111111-2222-3333-4444-555555555555",
          // the spelling of an environment variable (LLMAUTH_PROVIDERS_AZURE_MANAGEDIDENTITY_CONNECTTIMEOUT)
          "llmauth.providers.azure.managedIdentity.connecttimeout=2s",
          "llmauth.providers.azure.headers.X-Team=alpha",
          "llmauth.providers.azure.allow-insecure-http=true",
          "llmauth.providers.local.base-url=http://127.0.0.1:1/v1",
          "llmauth.providers.local.entra=").run(context -> {
            LlmAuth auth = context.getBean(LlmAuth.class);
            ProviderConfig azure = auth.config().provider("azure");
            assertThat(azure.type()).isEqualTo(ProviderType.AZURE_OPENAI);
            assertThat(azure.baseUrl()).isEqualTo("https://my.openai.azure.com/openai/v1");
            assertThat(azure.settings().get("managedIdentity").get("clientId").text())
                .isEqualTo("11111111-2222-3333-4444-555555555555");
            assertThat(azure.settings().get("managedIdentity").get("connectTimeout").text()).isEqualTo("2s");
            assertThat(azure.headers()).containsEntry("X-Team", "alpha");
            assertThat(azure.allowInsecureHttp()).isTrue();
            assertThat(auth.config().provider("local").settings().get("entra").isObject()).as("an empty value stands for {}")
                .isTrue();
            assertThat(auth.authenticator("azure").method()).isEqualTo("entra");
          });
    }

    @Test
    @DisplayName("the file's rules apply: managedIdentity with apiKey fails naming both properties and the fix")
    void sameValidation() {
      runner.withPropertyValues("llmauth.providers.azure.base-url=https://my.openai.azure.com/openai/v1",
          "llmauth.providers.azure.api-key=" + KEY,
          "llmauth.providers.azure.managed-identity.client-id=abc").run(context -> {
            Throwable failure = context.getStartupFailure();
            assertThat(failure).isNotNull();
            FailureAnalysis a = analysis(failure);
            assertThat(a.getDescription()).contains("property llmauth.providers.azure.managed-identity")
                .contains("(llmauth.providers.azure.api-key)").doesNotContain("providers.azure.apiKey");
            assertThat(a.getAction()).contains("llmauth.providers.azure.managed-identity");
            assertThat(a.getDescription() + a.getAction()).doesNotContain(KEY);
            assertThat(String.valueOf(failure)).doesNotContain(KEY);
          });
    }

    @Test
    @DisplayName("an unknown type fails naming llmauth.providers.<name>.type and the allowed values")
    void unknownType() {
      runner.withPropertyValues("llmauth.providers.x.type=mistral", "llmauth.providers.x.api-key=" + KEY)
          .run(context -> {
            FailureAnalysis a = analysis(context.getStartupFailure());
            assertThat(a.getDescription()).contains("property llmauth.providers.x.type").contains("azure-openai");
            assertThat(a.getAction()).contains("llmauth.providers.x.type");
          });
    }

    @Test
    @DisplayName("two user-assigned identity selectors fail naming the nested properties")
    void twoSelectors() {
      runner.withPropertyValues("llmauth.providers.azure.base-url=https://a.test/v1",
          "llmauth.providers.azure.managed-identity.client-id=a",
          "llmauth.providers.azure.managed-identity.object-id=b").run(context -> {
            FailureAnalysis a = analysis(context.getStartupFailure());
            assertThat(a.getDescription()).contains("llmauth.providers.azure.managed-identity");
          });
    }
  }

  @Nested
  @DisplayName("llmauth.config")
  class File {
    @Test
    @DisplayName("loads the JSONC file")
    void loadsFile(@TempDir Path dir) throws Exception {
      Path file = Files.writeString(dir.resolve("llm-auth.jsonc"),
          "{ // comment\n \"providers\": { \"gw\": { \"bearerToken\": \"" + KEY + "\", } } }");
      runner.withPropertyValues("llmauth.config=" + file).run(context ->
          assertThat(context.getBean(RequestAuthenticators.class).get("gw").method()).isEqualTo("api-key"));
    }

    @Test
    @DisplayName("a bad file fails naming its field")
    void badFile(@TempDir Path dir) throws Exception {
      Path file = Files.writeString(dir.resolve("llm-auth.jsonc"), "{\"providers\": {\"gw\": {\"authMode\": \"x\"}}}");
      runner.withPropertyValues("llmauth.config=" + file).run(context -> {
        FailureAnalysis a = analysis(context.getStartupFailure());
        assertThat(a.getDescription()).contains("providers.gw.authMode").contains("llmauth.config");
      });
    }

    @Test
    @DisplayName("llmauth.config together with llmauth.providers fails naming both")
    void both(@TempDir Path dir) throws Exception {
      Path file = Files.writeString(dir.resolve("llm-auth.jsonc"), "{\"providers\": {}}");
      runner.withPropertyValues("llmauth.config=" + file, "llmauth.providers.openai.api-key=" + KEY)
          .run(context -> {
            Throwable failure = context.getStartupFailure();
            assertThat(analysis(failure).getDescription()).contains("llmauth.config").contains("llmauth.providers");
            assertThat(String.valueOf(failure)).doesNotContain(KEY);
          });
    }
  }

  @Test
  @DisplayName("the LlmAuth bean is closed with the context")
  void closedWithContext() {
    TokenKey key = TokenKey.of(TokenSource.blocking((r, reason) -> AccessToken.of(Secret.of("t"),
        Instant.now().plusSeconds(3600)), "a test source"), TokenRequest.none());
    TokenCache[] cache = new TokenCache[1];
    runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY).run(context ->
        cache[0] = context.getBean(LlmAuth.class).tokenCache());
    assertThatThrownBy(() -> cache[0].get(key)).isInstanceOf(TokenException.class).hasMessageContaining("closed");
  }

  @Test
  @DisplayName("an application's own LlmAuth wins")
  void ownBean() {
    runner.withUserConfiguration(OwnLlmAuth.class).run(context ->
        assertThat(context.getBean(LlmAuth.class)).isSameAs(context.getBean(OwnLlmAuth.class).auth));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnLlmAuth {
    final LlmAuth auth = LlmAuth.create(dev.llmauth.api.config.LlmAuthConfig.of(
        ProviderConfig.builder("mine").set("apiKey", KEY).build()));

    @Bean
    LlmAuth llmAuth() {
      return auth;
    }
  }

  @Nested
  @DisplayName("HTTP client beans")
  class HttpClients {
    @Test
    @DisplayName("llmauth.http.provider gives a RestClient interceptor and a WebClient filter for that provider")
    void present() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "llmauth.http.provider=openai")
          .run(context -> {
            assertThat(context.getBean(ClientHttpRequestInterceptor.class)).hasToString(
                "LlmAuthClientHttpRequestInterceptor[openai]");
            assertThat(context.getBean(ExchangeFilterFunction.class)).hasToString(
                "LlmAuthExchangeFilterFunction[openai]");
          });
    }

    @Test
    @DisplayName("without llmauth.http.provider, neither")
    void absentWithoutProperty() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY).run(context -> {
        assertThat(context).doesNotHaveBean(ClientHttpRequestInterceptor.class);
        assertThat(context).doesNotHaveBean(ExchangeFilterFunction.class);
      });
    }

    @Test
    @DisplayName("without WebFlux, no filter; without spring-web, no interceptor")
    void absentWithoutLibraries() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "llmauth.http.provider=openai")
          .withClassLoader(new FilteredClassLoader(ExchangeFilterFunction.class)).run(context -> {
            assertThat(context).hasSingleBean(ClientHttpRequestInterceptor.class);
            assertThat(context).doesNotHaveBean(ExchangeFilterFunction.class);
          });
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "llmauth.http.provider=openai")
          .withClassLoader(new FilteredClassLoader(ClientHttpRequestInterceptor.class)).run(context ->
              assertThat(context).doesNotHaveBean(LlmAuthClientHttpRequestInterceptor.class));
    }

    @Test
    @DisplayName("an unknown llmauth.http.provider fails naming the known providers")
    void unknownProvider() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "llmauth.http.provider=azure")
          .run(context -> assertThat(analysis(context.getStartupFailure()).getDescription())
              .contains("no provider named 'azure'").contains("openai"));
    }
  }

  @Nested
  @DisplayName("metrics, health and endpoint")
  class Operations {
    @Test
    @DisplayName("with Micrometer, the meter binder; without, none")
    void metrics() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY).run(context ->
          assertThat(context).hasSingleBean(LlmAuthMetrics.class));
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY)
          .withClassLoader(new FilteredClassLoader(MeterBinder.class)).run(context ->
              assertThat(context).doesNotHaveBean(LlmAuthMetrics.class));
    }

    @Test
    @DisplayName("health per provider: up with the method chosen, down with why none could serve; no fetch")
    void health() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "llmauth.providers.bare.type=openai")
          .run(context -> {
            CompositeHealthContributor health = context.getBean("llmauthHealthContributor",
                CompositeHealthContributor.class);
            var openai = ((HealthIndicator) health.getContributor("openai")).health(true);
            assertThat(openai.getStatus()).isEqualTo(Status.UP);
            assertThat(openai.getDetails()).containsEntry("method", "api-key");
            var bare = ((HealthIndicator) health.getContributor("bare")).health(true);
            assertThat(bare.getStatus()).isEqualTo(Status.DOWN);
            assertThat(String.valueOf(bare.getDetails())).contains("api-key").contains("entra");
            assertThat(String.valueOf(openai.getDetails()) + bare.getDetails()).doesNotContain(KEY);
          });
    }

    @Test
    @DisplayName("a provider left unresolved by an unset ${env:...} is down in health and listed by the endpoint")
    void unresolvedProvider(@TempDir Path dir) throws Exception {
      String variable = "LLMAUTH_SPRING_TEST_NEVER_SET_0C4E";
      Path file = Files.writeString(dir.resolve("llm-auth.jsonc"), "{\"providers\": {\"ok\": {\"bearerToken\": \""
          + KEY + "\"}, \"broken\": {\"apiKey\": \"${env:" + variable + "}\"}}}");
      runner.withPropertyValues("llmauth.config=" + file).run(context -> {
        CompositeHealthContributor health = context.getBean("llmauthHealthContributor",
            CompositeHealthContributor.class);
        assertThat(((HealthIndicator) health.getContributor("ok")).health(true).getStatus()).isEqualTo(Status.UP);
        var broken = ((HealthIndicator) health.getContributor("broken")).health(true);
        assertThat(broken.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(broken.getDetails().get("error"))).contains(variable);
        Map<String, Object> listed = context.getBean(LlmAuthEndpoint.class).providers();
        assertThat(listed).containsKeys("ok", "broken");
        assertThat(String.valueOf(listed.get("broken"))).contains(variable);
        assertThat(String.valueOf(listed) + broken.getDetails()).doesNotContain(KEY);
      });
    }

    @Test
    @DisplayName("health turned off with management.health.llmauth.enabled=false; absent without spring-boot-health")
    void healthConditions() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "management.health.llmauth.enabled=false")
          .run(context -> assertThat(context).doesNotHaveBean("llmauthHealthContributor"));
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY)
          .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
          .run(context -> assertThat(context).doesNotHaveBean("llmauthHealthContributor"));
    }

    @Test
    @DisplayName("the llmauth endpoint shows doctor's output without secrets")
    void endpoint() {
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY).run(context -> {
        Map<String, Object> out = context.getBean(LlmAuthEndpoint.class).providers();
        assertThat(String.valueOf(out)).contains("api-key").contains("chosen").doesNotContain(KEY);
      });
      runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY)
          .withClassLoader(new FilteredClassLoader(org.springframework.boot.actuate.endpoint.annotation.Endpoint.class))
          .run(context -> assertThat(context).doesNotHaveBean(LlmAuthEndpoint.class));
    }
  }

  @Test
  @DisplayName("Spring AI: spring.ai.openai.llmauth.provider gives the OkHttp customizer; without it or Spring AI, none")
  void springAi() {
    Class<?> customizer = org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer.class;
    runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "spring.ai.openai.llmauth.provider=openai")
        .run(context -> assertThat(context).hasSingleBean(customizer));
    runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY)
        .run(context -> assertThat(context).doesNotHaveBean(customizer));
    runner.withPropertyValues("llmauth.providers.openai.api-key=" + KEY, "spring.ai.openai.llmauth.provider=openai")
        .withClassLoader(new FilteredClassLoader(customizer))
        .run(context -> assertThat(context).doesNotHaveBean("llmAuthOpenAiHttpClientBuilderCustomizer"));
  }

  @Test
  @DisplayName("Spring AI's key defaults to empty (no-key mode) only when a provider is named and no key is set")
  void springAiDefaults() {
    org.springframework.mock.env.MockEnvironment env = new org.springframework.mock.env.MockEnvironment();
    new SpringAiDefaults().postProcessEnvironment(env, new org.springframework.boot.SpringApplication());
    assertThat(env.containsProperty("spring.ai.openai.api-key")).isFalse();
    env.setProperty("spring.ai.openai.llmauth.provider", "azure");
    new SpringAiDefaults().postProcessEnvironment(env, new org.springframework.boot.SpringApplication());
    assertThat(env.getProperty("spring.ai.openai.api-key")).isEmpty();
    org.springframework.mock.env.MockEnvironment own = new org.springframework.mock.env.MockEnvironment()
        .withProperty("spring.ai.openai.llmauth.provider", "azure").withProperty("spring.ai.openai.api-key", "k");
    new SpringAiDefaults().postProcessEnvironment(own, new org.springframework.boot.SpringApplication());
    assertThat(own.getProperty("spring.ai.openai.api-key")).isEqualTo("k");
  }

  @Test
  @DisplayName("the analyzer leaves other failures alone")
  void otherFailures() {
    assertThat(new LlmAuthFailureAnalyzer().analyze(new IllegalStateException("x"))).isNull();
    assertThat(new LlmAuthFailureAnalyzer().analyze(new ConfigException(null, null, "m"))).isNotNull();
  }
}
