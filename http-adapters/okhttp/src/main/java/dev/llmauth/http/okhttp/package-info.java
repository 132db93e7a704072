/** The OkHttp adapter: {@link dev.llmauth.http.okhttp.LlmAuthInterceptor}. */
@NullMarked
package dev.llmauth.http.okhttp;

import org.jspecify.annotations.NullMarked;
