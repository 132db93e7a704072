/** Spring Boot auto-configuration for llm-auth. */
@NullMarked
package dev.llmauth.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
