/** IN PROGRESS: dev.llmauth.http.jdk. */
module dev.llmauth.http.jdk {
  requires dev.llmauth.api;
  requires java.net.http;
  requires static org.jspecify;
}
