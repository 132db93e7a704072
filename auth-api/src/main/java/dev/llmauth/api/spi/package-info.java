/**
 * The service-provider interface for credential methods: {@link dev.llmauth.api.spi.CredentialMethod},
 * {@link dev.llmauth.api.spi.Credential} and {@link dev.llmauth.api.spi.TokenSource}; a method reads its own
 * configuration block from a {@link dev.llmauth.api.spi.ConfigNode} and states the fields it refuses to combine
 * with {@link dev.llmauth.api.spi.ConfigConflict}.
 *
 * <p>What every method would otherwise write again is here once: {@link dev.llmauth.api.spi.CachedCredential}, a
 * credential over the shared token cache; {@link dev.llmauth.api.spi.IssuerCall}, one bounded HTTP exchange with an
 * issuer (one deadline, a body cap, cancellation), with {@link dev.llmauth.api.spi.IssuerTimeouts} read from the
 * method's configuration block and {@link dev.llmauth.api.spi.RetryAfter} for the issuer's hint; {@link
 * dev.llmauth.api.spi.Loopback}, the one test of a local host; and {@link dev.llmauth.api.spi.Futures}, the failure
 * inside a future's wrappers.
 */
@NullMarked
package dev.llmauth.api.spi;

import org.jspecify.annotations.NullMarked;
