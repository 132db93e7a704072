package dev.llmauth.api.config;

import dev.llmauth.api.Secret;
import dev.llmauth.apikey.ApiKeyMethod;
import dev.llmauth.apikey.ApiKeySettings;
import org.jspecify.annotations.Nullable;

/** The api-key method's settings of a provider, as that method reads them. */
final class ApiKeys {
  private static final ApiKeyMethod METHOD = new ApiKeyMethod();

  private ApiKeys() {}

  static @Nullable Secret apiKey(ProviderConfig provider) {
    ApiKeySettings settings = provider.methodConfig(METHOD, ApiKeySettings.class);
    return settings == null ? null : settings.apiKey();
  }

  static @Nullable Secret bearerToken(ProviderConfig provider) {
    ApiKeySettings settings = provider.methodConfig(METHOD, ApiKeySettings.class);
    return settings == null ? null : settings.bearerToken();
  }
}
