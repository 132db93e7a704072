package dev.llmauth.api;

import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A token source whose fetches the test completes by hand: each fetch returns a new pending future, recorded
 * with its reason.
 */
final class ScriptedSource implements TokenSource {
  final List<FetchReason> reasons = new CopyOnWriteArrayList<>();
  final LinkedBlockingQueue<CompletableFuture<AccessToken>> pending = new LinkedBlockingQueue<>();

  @Override
  public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
    reasons.add(reason);
    CompletableFuture<AccessToken> f = new CompletableFuture<>();
    pending.add(f);
    return f;
  }

  int calls() {
    return reasons.size();
  }

  /** Completes the oldest pending fetch. */
  void complete(AccessToken token) {
    CompletableFuture<AccessToken> f = pending.poll();
    if (f == null) {
      throw new AssertionError("no fetch is pending");
    }
    f.complete(token);
  }

  void fail(Throwable t) {
    CompletableFuture<AccessToken> f = pending.poll();
    if (f == null) {
      throw new AssertionError("no fetch is pending");
    }
    f.completeExceptionally(t);
  }

  @Override
  public String describe() {
    return "scripted source";
  }
}
