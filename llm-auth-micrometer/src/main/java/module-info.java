/** Micrometer metrics for llm-auth's token events: see {@link dev.llmauth.micrometer.LlmAuthMetrics}. */
module dev.llmauth.micrometer {
  requires transitive dev.llmauth.api;
  requires transitive micrometer.core;
  requires static org.jspecify;

  exports dev.llmauth.micrometer;
}
