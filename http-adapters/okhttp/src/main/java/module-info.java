/** IN PROGRESS: dev.llmauth.http.okhttp. */
module dev.llmauth.http.okhttp {
  requires dev.llmauth.api;
  requires okhttp3;
  requires static org.jspecify;
}
