/**
 * The conformance kit's drivers for llm-auth's HTTP adapters ({@link AdapterDrivers}) and a suite that runs a
 * method's adapter and issuer-fault rules through all of them ({@link LlmAuthAdaptersVerification}).
 */
@NullMarked
package dev.llmauth.conformance.drivers;

import org.jspecify.annotations.NullMarked;
