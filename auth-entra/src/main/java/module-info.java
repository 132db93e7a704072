/** IN PROGRESS: dev.llmauth.entra. */
module dev.llmauth.entra {
  requires dev.llmauth.api;
  requires static org.jspecify;
}
