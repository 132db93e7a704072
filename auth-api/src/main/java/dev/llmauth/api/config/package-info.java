/**
 * The provider configuration model and its JSONC loader, see {@link dev.llmauth.api.config.LlmAuthConfig}.
 */
@NullMarked
package dev.llmauth.api.config;

import org.jspecify.annotations.NullMarked;
