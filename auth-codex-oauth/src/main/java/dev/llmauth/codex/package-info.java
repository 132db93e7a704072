/** IN PROGRESS. */
@NullMarked
package dev.llmauth.codex;

import org.jspecify.annotations.NullMarked;
