/** IN PROGRESS: dev.llmauth.codex. */
module dev.llmauth.codex {
  requires dev.llmauth.api;
  requires static org.jspecify;
}
