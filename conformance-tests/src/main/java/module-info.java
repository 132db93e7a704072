/**
 * The llm-auth conformance kit: abstract JUnit suites that HTTP adapters, credential methods and token sources
 * pass. The mock identity, OAuth and model servers they run against come from {@code dev.llmauth.conformance.mock}
 * (artifact {@code conformance-mocks}), which this module passes on. See {@code RULES.md}.
 */
module dev.llmauth.conformance {
  requires transitive dev.llmauth.api;
  requires transitive org.junit.jupiter.api;
  requires transitive org.junit.jupiter.params;
  requires transitive org.assertj.core;
  requires transitive dev.llmauth.conformance.mock;
  requires java.net.http;
  requires com.google.gson;
  requires static transitive org.jspecify;

  exports dev.llmauth.conformance;

  // The suites' lifecycle and test methods are called reflectively by JUnit.
  opens dev.llmauth.conformance to org.junit.platform.commons;
}
