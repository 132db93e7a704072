package dev.llmauth.entra;

import dev.llmauth.api.Secret;

/** A source that has a cache of its own, from which a rejected token must go before the next fetch. */
interface Rejecting {
  /**
   * Drops a rejected token from the source's own cache.
   *
   * @param token the token the server rejected
   */
  void rejected(Secret token);
}
