/**
 * Codex OAuth: the ChatGPT sign-in of the Codex CLI, stored in its {@code auth.json}. Three types are public:
 * {@link dev.llmauth.codex.CodexOAuthMethod}, the {@code codex-oauth} credential method (found through {@link
 * java.util.ServiceLoader}; applications do not call it), {@link dev.llmauth.codex.CodexOAuthSettings}, a provider's
 * {@code codexOAuth} block, and {@link dev.llmauth.codex.CodexSignIn}, which runs the browser or device sign-in and
 * stores the tokens where the method finds them. Everything else (the file, the issuer client, the token source) is
 * package-private.
 */
@NullMarked
package dev.llmauth.codex;

import org.jspecify.annotations.NullMarked;
