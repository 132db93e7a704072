package dev.llmauth.api.spi;

import dev.llmauth.api.AccessToken;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One provider's credential, made by a {@link CredentialMethod}: it hands out the current token and takes
 * back tokens the server rejected. The {@link dev.llmauth.api.RequestAuthenticator} turns it into headers.
 *
 * <p>Creating a credential must not fetch anything: the first {@link #token()} call does, so an application
 * that never sends a request never contacts an issuer. Implementations are thread-safe.
 */
public interface Credential {
  /** @return the method id, such as {@code api-key}, {@code entra} or {@code codex-oauth} */
  String method();

  /** @return how the token goes onto a request */
  TokenUse use();

  /**
   * A description for diagnostics, such as {@code "managed identity (user-assigned by clientId) via App
   * Service"}; never a secret.
   *
   * @return the description
   */
  String describe();

  /**
   * Returns the current token, fetching when needed. The future is the caller's own: cancelling it ends only
   * this caller's wait.
   *
   * @return a future of a usable token, failing with a {@link dev.llmauth.api.TokenException}
   */
  CompletableFuture<AccessToken> token();

  /**
   * Returns the current token when one is usable now, without waiting and, on a cache hit, without allocating;
   * {@code null} when the caller has to go through {@link #token()}. The {@link
   * dev.llmauth.api.RequestAuthenticator} asks this first on every request and falls back to {@link #token()},
   * so a credential that does not override it still works, at the cost of a future per request. Return the same
   * {@link AccessToken} instance for as long as the token is unchanged: the authenticator reuses the headers it
   * built for that instance.
   *
   * @return a usable token, or {@code null}
   */
  default @Nullable AccessToken tokenIfReady() {
    return null;
  }

  /**
   * Tells the credential that the server rejected {@code token} (HTTP 401).
   *
   * @param token the rejected token
   * @return whether a new {@link #token()} call may return a different token, so a replay can help; a static
   *     key returns {@code false}
   */
  boolean invalidate(AccessToken token);

  /**
   * How a credential's token is written onto a request. A credential says what its token is; the provider's
   * {@link dev.llmauth.api.config.ProviderType} decides the header, so a method works with every endpoint type.
   */
  enum TokenUse {
    /** A bearer token: {@code Authorization: Bearer <token>} on every endpoint type. */
    BEARER,
    /**
     * An API key: in the endpoint type's {@linkplain dev.llmauth.api.config.ProviderType#keyHeader() key header}
     * ({@code api-key} on Azure OpenAI, {@code x-api-key} on Anthropic, {@code x-goog-api-key} on Gemini), or in
     * {@code Authorization: Bearer} on a type that has none (OpenAI, Codex).
     */
    API_KEY_HEADER
  }
}
