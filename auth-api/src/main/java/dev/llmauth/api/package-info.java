/**
 * The application-facing API: {@link dev.llmauth.api.LlmAuth}, {@link dev.llmauth.api.RequestAuthenticator},
 * {@link dev.llmauth.api.TokenCache}, tokens, secrets and errors.
 */
@NullMarked
package dev.llmauth.api;

import org.jspecify.annotations.NullMarked;
