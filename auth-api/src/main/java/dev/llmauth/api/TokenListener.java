package dev.llmauth.api;

/**
 * Receives {@link TokenEvent}s: fetches started, succeeded and failed, tokens rejected by a server, refreshes
 * skipped under backoff. Register one with {@link LlmAuth#addListener} or {@link TokenCache#addListener}.
 *
 * <p>Events are delivered on one daemon thread per {@code LlmAuth} (or per {@code TokenCache}), in the order they
 * happened, never on the thread of a request: a listener may be slow or throw without delaying or failing a
 * request. An exception thrown by a listener is logged (once per listener at {@code WARNING}) and the event goes
 * on to the other listeners. While listeners fall more than 1,024 events behind, new events are dropped and the
 * drop is logged. A cached token handed out without a fetch emits nothing.
 *
 * <p>Events carry no secret: no token, key, refresh token or identity header, in any field or in {@code
 * toString()}.
 */
@FunctionalInterface
public interface TokenListener {
  /**
   * Called for each event, on the delivery thread.
   *
   * @param event what happened
   */
  void onEvent(TokenEvent event);
}
