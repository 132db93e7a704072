package dev.llmauth.api.spi;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a method needs to read the failure of a future: the exception its work threw, out of the wrappers that
 * {@link java.util.concurrent.CompletableFuture} and {@link java.util.concurrent.Future#get()} put around it.
 *
 * <pre>{@code
 * try {
 *   return credential.token().get();
 * } catch (ExecutionException e) {
 *   Throwable cause = Futures.unwrap(e); // the TokenException the source failed with
 * }
 * }</pre>
 */
public final class Futures {
  private Futures() {}

  /**
   * Returns the failure inside {@code failure}: the cause of each {@link CompletionException} and {@link
   * ExecutionException} around it, however deep.
   *
   * @param failure a failure, as a future reports it
   * @return the innermost cause that is neither of those, or the last wrapper when it has no cause
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable c = failure;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
