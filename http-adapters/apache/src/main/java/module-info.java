/** IN PROGRESS: dev.llmauth.http.apache. */
module dev.llmauth.http.apache {
  requires dev.llmauth.api;
  requires org.apache.httpcomponents.client5.httpclient5;
  requires static org.jspecify;
}
