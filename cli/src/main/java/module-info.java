/** IN PROGRESS: dev.llmauth.cli. */
module dev.llmauth.cli {
  requires dev.llmauth.api;
  requires static org.jspecify;
}
