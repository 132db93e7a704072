/**
 * The core of llm-auth: the request-authentication API, the token cache, configuration and the
 * credential SPI.
 *
 * <p>Applications use {@link dev.llmauth.api.LlmAuth} to turn a provider configuration into a
 * {@link dev.llmauth.api.RequestAuthenticator}; HTTP adapters apply the resulting header edits. Credential
 * methods plug in through {@link dev.llmauth.api.spi.CredentialMethod}, found with {@link
 * java.util.ServiceLoader}.
 */
module dev.llmauth.api {
  requires com.github.benmanes.caffeine;
  requires com.google.gson;
  requires transitive java.net.http;
  requires static transitive org.jspecify;

  exports dev.llmauth.api;
  exports dev.llmauth.api.config;
  exports dev.llmauth.api.spi;

  uses dev.llmauth.api.spi.CredentialMethod;
}
