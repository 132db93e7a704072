package dev.llmauth.entra;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A copy of a third-party exception chain whose messages have secrets (such as the identity header) cut out,
 * with the original class names and stack traces kept for diagnosis.
 */
final class Redacted extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private Redacted(String message, @Nullable Throwable cause, StackTraceElement[] trace) {
    super(message, cause, false, true);
    setStackTrace(trace);
  }

  /**
   * Copies {@code t} and its causes with their class names and stack traces only: for failures whose messages may
   * quote an answer that holds a token (MSAL quotes a body it cannot parse).
   *
   * @param t the exception
   * @return the copy
   */
  static Redacted withoutMessages(Throwable t) {
    Throwable cause = t.getCause();
    Redacted copiedCause = cause == null || cause == t ? null : withoutMessages(cause);
    return new Redacted(t.getClass().getName() + " (message withheld: it may quote the token answer)", copiedCause,
        t.getStackTrace());
  }

  /**
   * Copies {@code t} and its causes with every occurrence of a secret replaced.
   *
   * @param t the exception
   * @param secrets the values to cut out
   * @return the copy
   */
  static Redacted of(Throwable t, Set<String> secrets) {
    Throwable cause = t.getCause();
    Redacted copiedCause = cause == null || cause == t ? null : of(cause, secrets);
    String message = t.getMessage() == null ? "" : t.getMessage();
    for (String s : secrets) {
      message = message.replace(s, "[redacted]");
    }
    return new Redacted(t.getClass().getName() + ": " + message, copiedCause, t.getStackTrace());
  }
}
