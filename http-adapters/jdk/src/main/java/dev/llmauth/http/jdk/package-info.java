/** The java.net.http adapter: {@link dev.llmauth.http.jdk.LlmAuthHttpClient}. */
@NullMarked
package dev.llmauth.http.jdk;

import org.jspecify.annotations.NullMarked;
