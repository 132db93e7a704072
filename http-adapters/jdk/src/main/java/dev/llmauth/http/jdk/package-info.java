/** IN PROGRESS. */
@NullMarked
package dev.llmauth.http.jdk;

import org.jspecify.annotations.NullMarked;
