/**
 * Mock servers on loopback for tests: identity (App Service and IMDS), OAuth issuer and OpenAI-compatible model.
 * Each records every request and can be started standalone, printing one {@code Listening: {json}} line.
 */
@NullMarked
package dev.llmauth.conformance.mock;

import org.jspecify.annotations.NullMarked;
