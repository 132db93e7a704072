package dev.llmauth.api.spi;

/** Why the {@link dev.llmauth.api.TokenCache} asks a {@link TokenSource} for a token. */
public enum FetchReason {
  /** The first token for this key: nothing was cached. */
  INITIAL,
  /** The cached token is still usable but inside its refresh window; callers keep using it meanwhile. */
  REFRESH_AHEAD,
  /** The cached token is expired or too close to expiry to be used. */
  EXPIRED,
  /**
   * The server rejected the cached token (for example with HTTP 401). A source that keeps a cache of its own,
   * such as MSAL's, must bypass it for this fetch, or it would hand back the rejected token.
   */
  INVALIDATED
}
