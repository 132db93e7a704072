/** OpenTelemetry spans for llm-auth's token fetches: see {@link dev.llmauth.opentelemetry.LlmAuthTracing}. */
module dev.llmauth.opentelemetry {
  requires transitive dev.llmauth.api;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires static org.jspecify;

  exports dev.llmauth.opentelemetry;
}
