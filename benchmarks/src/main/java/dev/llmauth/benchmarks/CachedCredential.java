package dev.llmauth.benchmarks;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A bearer credential over a token cache, built as the Entra and Codex credentials are (their classes are
 * package-private): it keeps the {@link TokenCache.Handle} its key was bound to. For the benchmarks that measure the
 * request path.
 */
record CachedCredential(TokenCache.Handle tokens) implements Credential {
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
    return tokens.getAsync();
  }

  @Override
  public @Nullable AccessToken tokenIfReady() {
    return tokens.getIfUsable();
  }

  @Override
  public boolean invalidate(AccessToken token) {
    return tokens.invalidate(token);
  }
}
