package dev.llmauth.entra;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * An Entra credential: tokens come from the shared {@link TokenCache} (refresh ahead, single flight), which asks
 * the source only when needed. A rejected token is dropped, and the next fetch is forced past the source's own
 * cache, so a replay after a 401 may help.
 */
final class EntraCredential implements Credential {
  /** A source that has a cache of its own, from which a rejected token must go before the next fetch. */
  interface Rejecting {
    /**
     * Drops a rejected token from the source's own cache.
     *
     * @param token the token the server rejected
     */
    void rejected(dev.llmauth.api.Secret token);
  }

  private final TokenSource source;
  private final TokenCache.Handle tokens;
  private final String description;

  EntraCredential(TokenCache cache, TokenSource source, TokenRequest request, String description) {
    this.source = source;
    this.tokens = cache.bind(TokenKey.of(source, request));
    this.description = description;
  }

  @Override
  public String method() {
    return EntraMethod.METHOD;
  }

  @Override
  public TokenUse use() {
    return TokenUse.BEARER;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public CompletableFuture<AccessToken> token() {
    return tokens.getAsync();
  }

  @Override
  public @Nullable AccessToken tokenIfReady() {
    return tokens.getIfUsable();
  }

  @Override
  public boolean invalidate(AccessToken token) {
    if (source instanceof Rejecting r) {
      r.rejected(token.value());
    }
    tokens.invalidate(token);
    return true;
  }

  @Override
  public String toString() {
    return "EntraCredential[" + description + "]";
  }
}
