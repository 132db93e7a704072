/**
 * The service-provider interface for credential methods: {@link dev.llmauth.api.spi.CredentialProvider},
 * {@link dev.llmauth.api.spi.Credential} and {@link dev.llmauth.api.spi.TokenSource}.
 */
@NullMarked
package dev.llmauth.api.spi;

import org.jspecify.annotations.NullMarked;
