/**
 * Signing in to ChatGPT for the Codex backend: {@link dev.llmauth.codex.CodexSignIn} runs the browser or device
 * sign-in and stores the tokens in the Codex CLI's {@code auth.json}, where the {@code codex-oauth} credential
 * method finds them.
 */
@NullMarked
package dev.llmauth.codex;

import org.jspecify.annotations.NullMarked;
