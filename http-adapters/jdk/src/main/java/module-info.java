/**
 * Authenticates {@link java.net.http.HttpClient} requests with llm-auth: see {@link
 * dev.llmauth.http.jdk.LlmAuthHttpClient}.
 */
module dev.llmauth.http.jdk {
  requires transitive dev.llmauth.api;
  requires transitive java.net.http;
  requires static org.jspecify;

  exports dev.llmauth.http.jdk;
}
