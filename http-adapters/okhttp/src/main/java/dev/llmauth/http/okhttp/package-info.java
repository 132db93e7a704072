/** IN PROGRESS. */
@NullMarked
package dev.llmauth.http.okhttp;

import org.jspecify.annotations.NullMarked;
