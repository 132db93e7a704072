/** An llm-auth credential method: a bearer token read from a file. */
module com.example.filetoken {
  // The SPI (CredentialMethod, Credential, ConfigNode, Secret); transitive, since the method's public types use it.
  requires transitive dev.llmauth.api;

  // How llm-auth finds the method: it is bound by service, so an application needs no `requires` for this module,
  // only the module on its module path (and, on the class path, META-INF/services).
  provides dev.llmauth.api.spi.CredentialMethod with com.example.filetoken.FileTokenMethod;

  // Only for code that names the method's types (FileTokenMethod.METHOD); llm-auth itself does not need it.
  exports com.example.filetoken;
}
