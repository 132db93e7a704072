/** An llm-auth credential method: a bearer token read from a file. */
module com.example.filetoken {
  requires transitive dev.llmauth.api;

  exports com.example.filetoken;

  provides dev.llmauth.api.spi.CredentialMethod with com.example.filetoken.FileTokenMethod;
}
