/** Micrometer metrics for llm-auth's token events. */
@NullMarked
package dev.llmauth.micrometer;

import org.jspecify.annotations.NullMarked;
