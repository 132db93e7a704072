/**
 * The {@code command} credential method: runs a configured command (a credential helper such as {@code op read},
 * {@code vault kv get} or {@code az account get-access-token}) and sends what it prints as the key or token.
 * Configure a provider's {@code command} block; the module exports nothing and is found through {@link
 * dev.llmauth.api.spi.CredentialMethod}.
 */
module dev.llmauth.command {
  requires dev.llmauth.api;
  requires com.google.gson;
  requires static org.jspecify;

  provides dev.llmauth.api.spi.CredentialMethod with dev.llmauth.command.CommandMethod;
}
