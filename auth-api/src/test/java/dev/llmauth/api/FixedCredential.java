package dev.llmauth.api;

import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A credential that hands out one token and counts rejections. */
class FixedCredential implements Credential {
  final AccessToken token;
  final TokenUse use;
  final AtomicInteger invalidations = new AtomicInteger();
  final boolean rotates;

  FixedCredential(String value, TokenUse use, boolean rotates) {
    this.token = AccessToken.nonExpiring(Secret.of(value));
    this.use = use;
    this.rotates = rotates;
  }

  @Override
  public String method() {
    return "fixed";
  }

  @Override
  public TokenUse use() {
    return use;
  }

  @Override
  public String describe() {
    return "a fixed token";
  }

  @Override
  public CompletableFuture<AccessToken> token() {
    return CompletableFuture.completedFuture(token);
  }

  @Override
  public boolean invalidate(AccessToken rejected) {
    invalidations.incrementAndGet();
    return rotates;
  }
}
