/**
 * Codex OAuth: ChatGPT sign-in for the Codex backend, stored in the Codex CLI's {@code auth.json}. The {@code
 * codex-oauth} credential method is found through {@link dev.llmauth.api.spi.CredentialMethod}; {@link
 * dev.llmauth.codex.CodexSignIn} signs in and out.
 */
module dev.llmauth.codex {
  requires transitive dev.llmauth.api;
  requires com.google.gson;
  requires java.net.http;
  requires jdk.httpserver;
  requires static transitive org.jspecify;

  exports dev.llmauth.codex;

  provides dev.llmauth.api.spi.CredentialMethod with dev.llmauth.codex.CodexOAuthMethod;
}
