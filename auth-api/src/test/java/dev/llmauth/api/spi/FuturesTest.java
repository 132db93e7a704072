package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Futures.unwrap: the failure inside a future's wrappers")
class FuturesTest {
  @Test
  @DisplayName("CompletionException and ExecutionException, nested in any order, give their innermost cause")
  void nested() {
    IOException cause = new IOException("refused");
    assertThat(Futures.unwrap(new CompletionException(cause))).isSameAs(cause);
    assertThat(Futures.unwrap(new ExecutionException(cause))).isSameAs(cause);
    assertThat(Futures.unwrap(new ExecutionException(new CompletionException(new ExecutionException(cause)))))
        .isSameAs(cause);
  }

  @Test
  @DisplayName("a failure of a dependent stage, as join() reports it, gives the source's failure")
  void dependentStage() {
    IllegalStateException cause = new IllegalStateException("source failed");
    CompletableFuture<String> dependent = CompletableFuture.<String>failedFuture(cause).thenApply(s -> s + "!");
    Throwable joined = null;
    try {
      dependent.join();
    } catch (CompletionException e) {
      joined = e;
    }
    assertThat(joined).isInstanceOf(CompletionException.class);
    assertThat(Futures.unwrap(joined)).isSameAs(cause);
  }

  @Test
  @DisplayName("anything else is itself, and so is a wrapper without a cause; other causes are not looked into")
  void others() {
    CancellationException cancelled = new CancellationException();
    assertThat(Futures.unwrap(cancelled)).isSameAs(cancelled);
    CompletionException bare = new CompletionException("no cause", null);
    assertThat(Futures.unwrap(bare)).isSameAs(bare);
    RuntimeException outer = new RuntimeException(new CompletionException(new IOException()));
    assertThat(Futures.unwrap(outer)).isSameAs(outer);
  }
}
