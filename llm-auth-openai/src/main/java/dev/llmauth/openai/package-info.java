/**
 * The openai-java SDK authenticated by llm-auth: {@link dev.llmauth.openai.LlmAuthOpenAI}.
 */
@NullMarked
package dev.llmauth.openai;

import org.jspecify.annotations.NullMarked;
