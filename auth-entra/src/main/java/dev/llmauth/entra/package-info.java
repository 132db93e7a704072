/** IN PROGRESS. */
@NullMarked
package dev.llmauth.entra;

import org.jspecify.annotations.NullMarked;
