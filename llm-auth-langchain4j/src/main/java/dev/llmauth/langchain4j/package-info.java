/**
 * LangChain4j's HTTP client authenticated by llm-auth: {@link dev.llmauth.langchain4j.LlmAuthHttpClientBuilder}.
 */
@NullMarked
package dev.llmauth.langchain4j;

import org.jspecify.annotations.NullMarked;
