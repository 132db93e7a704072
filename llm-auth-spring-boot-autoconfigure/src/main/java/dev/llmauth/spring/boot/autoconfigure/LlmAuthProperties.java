package dev.llmauth.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code llmauth.*} properties: either {@code llmauth.config}, the path of an llm-auth JSONC file, or {@code
 * llmauth.providers.<name>.*} with the file's fields in any relaxed form ({@code base-url}, {@code baseUrl},
 * {@code LLMAUTH_PROVIDERS_AZURE_BASEURL}). Neither: the {@code OPENAI_*} environment fallback. Provider
 * properties are validated by the same rules, with the same messages, as the file.
 */
@ConfigurationProperties("llmauth")
public class LlmAuthProperties {
  private @Nullable Path config;
  private Map<String, Map<String, Object>> providers = new LinkedHashMap<>();
  private final Http http = new Http();

  /** @return the JSONC file, or {@code null} */
  public @Nullable Path getConfig() {
    return config;
  }

  /** @param config the JSONC file */
  public void setConfig(@Nullable Path config) {
    this.config = config;
  }

  /** @return the providers, by name, with the configuration file's fields */
  public Map<String, Map<String, Object>> getProviders() {
    return providers;
  }

  /** @param providers the providers, by name */
  public void setProviders(Map<String, Map<String, Object>> providers) {
    this.providers = providers;
  }

  /** @return the settings of the HTTP client beans */
  public Http getHttp() {
    return http;
  }

  /** Which provider the {@code RestClient} interceptor and {@code WebClient} filter beans authenticate as. */
  public static class Http {
    private @Nullable String provider;

    /** @return the provider's name, or {@code null}: no interceptor or filter bean */
    public @Nullable String getProvider() {
      return provider;
    }

    /** @param provider the provider's name */
    public void setProvider(@Nullable String provider) {
      this.provider = provider;
    }
  }
}
