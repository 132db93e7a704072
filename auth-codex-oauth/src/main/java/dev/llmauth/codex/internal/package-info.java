/**
 * The Codex OAuth implementation: the {@code auth.json} store, the OAuth client, the token source and the
 * credential method. Not exported.
 */
@NullMarked
package dev.llmauth.codex.internal;

import org.jspecify.annotations.NullMarked;
