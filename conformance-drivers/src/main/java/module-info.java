/**
 * Drivers of the conformance kit ({@code dev.llmauth.conformance}) for llm-auth's own HTTP adapters, so that a
 * credential method is checked through the real adapters: see {@link
 * dev.llmauth.conformance.drivers.AdapterDrivers} and {@link
 * dev.llmauth.conformance.drivers.LlmAuthAdaptersVerification}. The OkHttp drivers need OkHttp 4.12 or 5 in the
 * graph; without it they are skipped.
 */
module dev.llmauth.conformance.drivers {
  requires transitive dev.llmauth.conformance;
  requires transitive dev.llmauth.http.jdk;
  requires transitive dev.llmauth.http.apache;
  // OkHttp is the application's choice (4.12 or 5), so neither it nor the adapter that needs it is required.
  requires static dev.llmauth.http.okhttp;
  requires static okhttp3;
  requires static org.jspecify;

  exports dev.llmauth.conformance.drivers;

  // The suites' nested classes are found and instantiated reflectively by JUnit.
  opens dev.llmauth.conformance.drivers to org.junit.platform.commons;
}
