/**
 * The llm-auth conformance kit's mock servers: identity (App Service and IMDS), OAuth issuer and
 * OpenAI-compatible model, on loopback. No test library: tests, the command line and demos all use them.
 */
module dev.llmauth.conformance.mock {
  requires transitive jdk.httpserver;
  requires com.google.gson;
  requires static transitive org.jspecify;

  exports dev.llmauth.conformance.mock;
}
