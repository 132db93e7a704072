package dev.llmauth.benchmarks;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A bearer credential over a token cache, built as the Entra and Codex credentials are (their classes are
 * package-private), for the benchmarks that measure the request path.
 */
record CachedCredential(TokenCache cache, TokenKey key) implements Credential {
  @Override
  public String method() {
    return "entra";
  }

  @Override
  public TokenUse use() {
    return TokenUse.BEARER;
  }

  @Override
  public String describe() {
    return "benchmark credential over a token cache";
  }

  @Override
  public CompletableFuture<AccessToken> token() {
    return cache.getAsync(key);
  }

  @Override
  public @Nullable AccessToken tokenIfReady() {
    return cache.getIfUsable(key);
  }

  @Override
  public boolean invalidate(AccessToken token) {
    return cache.invalidate(key, token);
  }
}
