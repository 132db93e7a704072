/** OpenTelemetry spans for llm-auth's token fetches. */
@NullMarked
package dev.llmauth.opentelemetry;

import org.jspecify.annotations.NullMarked;
