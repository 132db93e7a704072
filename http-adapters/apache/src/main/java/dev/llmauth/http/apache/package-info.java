/** IN PROGRESS. */
@NullMarked
package dev.llmauth.http.apache;

import org.jspecify.annotations.NullMarked;
