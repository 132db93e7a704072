package dev.llmauth.codex.internal;

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
  private final TokenCache.Handle tokens;

  CodexCredential(CodexTokenSource source, TokenCache cache) {
    this.source = source;
    this.tokens = cache.bind(TokenKey.of(source, new TokenRequest(List.of(), source.file().path().toString())));
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
    return tokens.getAsync();
  }

  @Override
  public @Nullable AccessToken tokenIfReady() {
    return tokens.getIfUsable();
  }

  @Override
  public boolean invalidate(AccessToken token) {
    source.rejected(token);
    if (tokens.invalidate(token)) {
      return true;
    }
    AccessToken current = tokens.peek();
    return current == null || !current.value().equals(token.value());
  }

  @Override
  public String toString() {
    return "CodexCredential[" + source.file().path() + "]";
  }
}
