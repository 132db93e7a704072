/** The {@code llm-auth} command line: demo, request, token, doctor, login, logout and the mock servers. */
module dev.llmauth.cli {
  requires dev.llmauth.api;
  requires dev.llmauth.codex;
  requires dev.llmauth.conformance.mock;
  requires dev.llmauth.http.jdk;
  requires dev.llmauth.http.okhttp;
  requires dev.llmauth.http.apache;
  requires com.google.gson;
  requires java.net.http;
  requires okhttp3;
  requires org.apache.httpcomponents.client5.httpclient5;
  requires org.apache.httpcomponents.core5.httpcore5;
  requires info.picocli;
  requires static org.jspecify;

  opens dev.llmauth.cli to info.picocli;
}
