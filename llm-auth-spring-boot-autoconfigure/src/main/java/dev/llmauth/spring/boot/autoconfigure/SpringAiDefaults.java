package dev.llmauth.spring.boot.autoconfigure;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * When {@code spring.ai.openai.llmauth.provider} is set, puts Spring AI's OpenAI client in its no-key mode
 * ({@code spring.ai.openai.api-key} empty, unless the application sets a key): the SDK then sends no key of its
 * own, and llm-auth's interceptor writes the provider's credential. A key the application does set is still
 * replaced by the provider's credential on every request.
 */
final class SpringAiDefaults implements EnvironmentPostProcessor {
  /** The property that names the provider Spring AI's OpenAI models authenticate as. */
  static final String PROVIDER = "spring.ai.openai.llmauth.provider";
  private static final String API_KEY = "spring.ai.openai.api-key";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (environment.containsProperty(PROVIDER) && !environment.containsProperty(API_KEY)) {
      environment.getPropertySources().addLast(new MapPropertySource("llmauth-spring-ai", Map.of(API_KEY, "")));
    }
  }
}
