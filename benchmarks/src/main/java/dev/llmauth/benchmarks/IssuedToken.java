package dev.llmauth.benchmarks;

import java.time.Instant;

/**
 * What the shared in-memory token source hands out, before each library wraps it in its own token type.
 *
 * @param value the bearer value
 * @param expiresAt when it expires
 */
record IssuedToken(String value, Instant expiresAt) {}
