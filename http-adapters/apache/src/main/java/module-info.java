/**
 * Authenticates Apache HttpClient 5 requests with llm-auth: see {@link
 * dev.llmauth.http.apache.LlmAuthExecChainHandler} (classic) and {@link
 * dev.llmauth.http.apache.LlmAuthAsyncExecChainHandler} (async).
 */
module dev.llmauth.http.apache {
  requires transitive dev.llmauth.api;
  requires transitive org.apache.httpcomponents.client5.httpclient5;
  requires transitive org.apache.httpcomponents.core5.httpcore5;
  requires static org.jspecify;
  // HttpClient 5 sets socket options through jdk.net.Sockets; its automatic module cannot require it, so on the
  // module path the adapter brings it into the graph.
  requires jdk.net;

  exports dev.llmauth.http.apache;
}
