package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import dev.llmauth.micrometer.LlmAuthMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * Auto-configuration of llm-auth: an {@link LlmAuth} from {@code llmauth.*} (closed with the context), the
 * {@link RequestAuthenticators} registry, and, when their libraries are present, a {@code RestClient} interceptor
 * and a {@code WebClient} filter for {@code llmauth.http.provider}, the Micrometer binder, a health contributor
 * per provider, the {@code llmauth} actuator endpoint, and Spring AI's OpenAI models authenticated as {@code
 * spring.ai.openai.llmauth.provider}. Every bean backs off when the application defines its
 * own.
 */
@AutoConfiguration
@ConditionalOnClass(LlmAuth.class)
@EnableConfigurationProperties(LlmAuthProperties.class)
public class LlmAuthAutoConfiguration {
  /** Created by Spring. */
  public LlmAuthAutoConfiguration() {}

  /**
   * The instance, from {@code llmauth.config}, {@code llmauth.providers.*} or the {@code OPENAI_*} environment.
   *
   * @param properties the bound properties
   * @return the instance; Spring closes it with the context
   */
  @Bean
  @ConditionalOnMissingBean
  public LlmAuth llmAuth(LlmAuthProperties properties) {
    return LlmAuth.create(PropertiesConfig.load(properties, System.getenv()));
  }

  /**
   * The authenticators by provider name.
   *
   * @param auth the instance
   * @return the registry
   */
  @Bean
  @ConditionalOnMissingBean
  public RequestAuthenticators requestAuthenticators(LlmAuth auth) {
    return new RequestAuthenticators(auth);
  }

  /** The {@code RestClient}/{@code RestTemplate} interceptor, for {@code llmauth.http.provider}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ClientHttpRequestInterceptor.class)
  @ConditionalOnProperty("llmauth.http.provider")
  static class RestClientConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LlmAuthClientHttpRequestInterceptor llmAuthClientHttpRequestInterceptor(RequestAuthenticators authenticators,
        LlmAuthProperties properties) {
      return new LlmAuthClientHttpRequestInterceptor(authenticators.get(properties.getHttp().getProvider()));
    }
  }

  /** The {@code WebClient} filter, for {@code llmauth.http.provider}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ExchangeFilterFunction.class)
  @ConditionalOnProperty("llmauth.http.provider")
  static class WebClientConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LlmAuthExchangeFilterFunction llmAuthExchangeFilterFunction(RequestAuthenticators authenticators,
        LlmAuthProperties properties) {
      return new LlmAuthExchangeFilterFunction(authenticators.get(properties.getHttp().getProvider()));
    }
  }

  /** Token metrics, bound by Spring Boot to every meter registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterBinder.class, LlmAuthMetrics.class})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LlmAuthMetrics llmAuthMetrics(LlmAuth auth) {
      return LlmAuthMetrics.of(auth);
    }
  }

  /** Health per provider, from the method resolution and the last fetch; never fetches. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("llmauth")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "llmauthHealthContributor")
    CompositeHealthContributor llmauthHealthContributor(LlmAuth auth) {
      LlmAuthHealth.LastFetches last = new LlmAuthHealth.LastFetches();
      auth.addListener(last);
      Map<String, HealthContributor> providers = new LinkedHashMap<>();
      // a provider left unresolved by an unset ${env:...} is listed too, down with its error
      for (String name : auth.config().providerNames()) {
        providers.put(name, new LlmAuthHealth(auth, name, last));
      }
      return CompositeHealthContributor.fromMap(providers);
    }
  }

  /**
   * Spring AI's OpenAI models authenticate through {@code spring.ai.openai.llmauth.provider}: Spring AI 2 builds
   * their OkHttp client through {@link OpenAiHttpClientBuilderCustomizer} beans, and this one adds llm-auth's
   * OkHttp interceptor (credential headers, 401 replay).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({OpenAiHttpClientBuilderCustomizer.class, LlmAuthInterceptor.class})
  @ConditionalOnProperty(SpringAiDefaults.PROVIDER)
  static class SpringAiConfiguration {
    @Bean
    OpenAiHttpClientBuilderCustomizer llmAuthOpenAiHttpClientBuilderCustomizer(RequestAuthenticators authenticators,
        Environment environment) {
      LlmAuthInterceptor interceptor = LlmAuthInterceptor.of(
          authenticators.get(environment.getRequiredProperty(SpringAiDefaults.PROVIDER)));
      return builder -> builder.interceptor(interceptor);
    }
  }

  /** The {@code llmauth} actuator endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(Endpoint.class)
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    LlmAuthEndpoint llmAuthEndpoint(LlmAuth auth) {
      return new LlmAuthEndpoint(auth);
    }
  }
}
