/**
 * The service-provider interface for credential methods: {@link dev.llmauth.api.spi.CredentialMethod},
 * {@link dev.llmauth.api.spi.Credential} and {@link dev.llmauth.api.spi.TokenSource}; a method reads its own
 * configuration block from a {@link dev.llmauth.api.spi.ConfigNode} and states the fields it refuses to combine
 * with {@link dev.llmauth.api.spi.ConfigConflict}.
 */
@NullMarked
package dev.llmauth.api.spi;

import org.jspecify.annotations.NullMarked;
