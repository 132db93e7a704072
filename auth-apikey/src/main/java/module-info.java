/**
 * API keys and static bearer tokens: {@code Authorization: Bearer <key>} for OpenAI-compatible endpoints,
 * {@code api-key: <key>} for Azure OpenAI. Add this module and configure {@code apiKey} or {@code bearerToken};
 * it exports nothing and is found through {@link dev.llmauth.api.spi.CredentialMethod}.
 */
module dev.llmauth.apikey {
  requires dev.llmauth.api;
  requires static org.jspecify;

  provides dev.llmauth.api.spi.CredentialMethod with dev.llmauth.apikey.ApiKeyMethod;
}
