/**
 * The Apache HttpClient 5 adapter: {@link dev.llmauth.http.apache.LlmAuthExecChainHandler} and {@link
 * dev.llmauth.http.apache.LlmAuthAsyncExecChainHandler}.
 */
@NullMarked
package dev.llmauth.http.apache;

import org.jspecify.annotations.NullMarked;
