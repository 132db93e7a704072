package dev.llmauth.codex;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.TokenRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A stored ChatGPT sign-in as a {@link Credential}: tokens come through the shared {@link TokenCache}. */
final class CodexCredential implements Credential {
  private final CodexTokenSource source;
  private final TokenCache cache;
  private final TokenKey key;

  CodexCredential(CodexTokenSource source, TokenCache cache) {
    this.source = source;
    this.cache = cache;
    this.key = TokenKey.of(source, new TokenRequest(List.of(), source.file().path().toString()));
  }

  @Override
  public String method() {
    return CodexOAuthMethod.METHOD;
  }

  @Override
  public TokenUse use() {
    return TokenUse.BEARER;
  }

  @Override
  public String describe() {
    return source.describe();
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
    source.rejected(token);
    if (cache.invalidate(key, token)) {
      return true;
    }
    AccessToken current = cache.peek(key);
    return current == null || !current.value().equals(token.value());
  }

  @Override
  public String toString() {
    return "CodexCredential[" + source.file().path() + "]";
  }
}
