/** Authenticates OkHttp requests with llm-auth: see {@link dev.llmauth.http.okhttp.LlmAuthInterceptor}. */
module dev.llmauth.http.okhttp {
  requires transitive dev.llmauth.api;
  requires transitive okhttp3;
  requires static org.jspecify;

  exports dev.llmauth.http.okhttp;
}
