package dev.llmauth.openai;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Hands out a new bearer token, {@code tok-1}, {@code tok-2}, …, each time it is asked. */
final class CountingCredential implements Credential {
  private final AtomicInteger asked = new AtomicInteger();

  @Override
  public String method() {
    return "counting";
  }

  @Override
  public TokenUse use() {
    return TokenUse.BEARER;
  }

  @Override
  public String describe() {
    return "a new token per request";
  }

  @Override
  public CompletableFuture<AccessToken> token() {
    return CompletableFuture.completedFuture(AccessToken.nonExpiring(Secret.of("tok-" + asked.incrementAndGet())));
  }

  @Override
  public boolean invalidate(AccessToken token) {
    return true;
  }
}
