/** IN PROGRESS. */
@NullMarked
package dev.llmauth.cli;

import org.jspecify.annotations.NullMarked;
