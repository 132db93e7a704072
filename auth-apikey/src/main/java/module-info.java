/**
 * API keys and static bearer tokens: {@code Authorization: Bearer <key>} for OpenAI-compatible endpoints,
 * {@code api-key: <key>} for Azure OpenAI. Add this module and configure {@code apiKey} or {@code bearerToken};
 * the method is found through {@link dev.llmauth.api.spi.CredentialMethod}, and {@link
 * dev.llmauth.apikey.ApiKeySettings} is what it reads from a provider.
 */
module dev.llmauth.apikey {
  requires transitive dev.llmauth.api;
  requires static org.jspecify;

  exports dev.llmauth.apikey;

  provides dev.llmauth.api.spi.CredentialMethod with dev.llmauth.apikey.ApiKeyMethod;
}
