package dev.llmauth.api;

import dev.llmauth.api.spi.FetchReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a provider's token, as seen by a {@link TokenListener}.
 *
 * <p>Every event names the provider and the method (both {@code null} for a {@link TokenKey} created outside
 * {@link LlmAuth}), the token source ({@link dev.llmauth.api.spi.TokenSource#describe()}) and when it happened.
 * None carries a secret.
 */
public sealed interface TokenEvent
    permits TokenEvent.FetchStarted, TokenEvent.FetchSucceeded, TokenEvent.FetchFailed, TokenEvent.TokenRejected,
        TokenEvent.RefreshSkipped {
  /** @return the provider's name, or {@code null} when the token key was not created by {@link LlmAuth} */
  @Nullable String provider();

  /** @return the method id, such as {@code entra}, or {@code null} when the provider is unknown */
  @Nullable String method();

  /** @return a description of the token source, never a secret */
  String source();

  /** @return when the event happened, by the cache's clock */
  Instant at();

  /**
   * The cache asked a source for a token.
   *
   * @param provider the provider, or {@code null}
   * @param method the method id, or {@code null}
   * @param source the source's description
   * @param at when the fetch started
   * @param reason why: first use, refresh ahead of expiry, expired, or after a 401
   */
  record FetchStarted(@Nullable String provider, @Nullable String method, String source, Instant at,
      FetchReason reason) implements TokenEvent {
    /** Checks the required fields. */
    public FetchStarted {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A fetch brought a token.
   *
   * @param provider the provider, or {@code null}
   * @param method the method id, or {@code null}
   * @param source the source's description
   * @param at when the fetch ended
   * @param reason why it was fetched
   * @param duration how long the fetch took
   * @param expiresAt when the new token expires
   */
  record FetchSucceeded(@Nullable String provider, @Nullable String method, String source, Instant at,
      FetchReason reason, Duration duration, Instant expiresAt) implements TokenEvent {
    /** Checks the required fields. */
    public FetchSucceeded {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** @return how long the new token stays valid from {@link #at()}; negative if it already expired */
    public Duration timeToExpiry() {
      return Duration.between(at, expiresAt);
    }
  }

  /**
   * A fetch failed.
   *
   * @param provider the provider, or {@code null}
   * @param method the method id, or {@code null}
   * @param source the source's description
   * @param at when the fetch ended
   * @param reason why it was fetched
   * @param duration how long the fetch took
   * @param errorCode the {@link AuthException#code()}, such as {@code token_unavailable}
   * @param permanent whether retrying cannot help ({@link TokenException#isPermanent()})
   * @param message the error's message, which never contains a secret
   * @param nextRetry when the cache will try again on its own while the current token stays usable; {@code
   *     null} when it will not (no usable token, so the next request fetches, or a permanent failure)
   */
  record FetchFailed(@Nullable String provider, @Nullable String method, String source, Instant at,
      FetchReason reason, Duration duration, String errorCode, boolean permanent, String message,
      @Nullable Instant nextRetry) implements TokenEvent {
    /** Checks the required fields. */
    public FetchFailed {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A server rejected a provider's credential (HTTP 401) and the adapter handed it back with {@link
   * RequestAuthenticator#invalidate(Authorization)}.
   *
   * @param provider the provider
   * @param method the method id
   * @param source the credential's description
   * @param at when the rejection was reported
   * @param replayable whether a new credential may help, so the request is replayed once (a static key: no)
   */
  record TokenRejected(@Nullable String provider, @Nullable String method, String source, Instant at,
      boolean replayable) implements TokenEvent {
    /** Checks the required fields. */
    public TokenRejected {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A token is due for refresh, but the last refresh failed and the cache is backing off: the current token
   * keeps serving. Reported once per backoff period, not for every request in it.
   *
   * @param provider the provider, or {@code null}
   * @param method the method id, or {@code null}
   * @param source the source's description
   * @param at when the refresh was skipped
   * @param retryAt when the cache will try again
   */
  record RefreshSkipped(@Nullable String provider, @Nullable String method, String source, Instant at,
      Instant retryAt) implements TokenEvent {
    /** Checks the required fields. */
    public RefreshSkipped {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(retryAt, "retryAt");
    }
  }
}
