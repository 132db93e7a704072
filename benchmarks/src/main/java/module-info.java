/**
 * Benchmarks of llm-auth against azure-core, google-auth-library and the AWS SDK v2 token caches, the cost of our
 * HTTP adapters, and start-up. Not published; run {@code benchmarks/run.sh}. Exports nothing: JMH and the run
 * programs reach the classes through the class path.
 */
module dev.llmauth.benchmarks {
  requires dev.llmauth.api;
  requires dev.llmauth.conformance.mock;
  requires dev.llmauth.http.apache;
  requires dev.llmauth.http.jdk;
  requires dev.llmauth.http.okhttp;
  requires com.azure.core;
  requires com.azure.identity;
  requires com.google.gson;
  requires com.google.auth;
  requires com.google.auth.oauth2;
  requires jdk.httpserver;
  requires java.net.http;
  requires jmh.core;
  requires reactor.core;
  requires software.amazon.awssdk.utils;
  requires static org.jspecify;

  uses dev.llmauth.api.spi.CredentialMethod;
}
