package dev.llmauth.api;

import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.Objects;

/**
 * The key of one {@link TokenCache} entry: a source and a request (scopes and identity). An immutable value: two
 * keys are equal when they name the same source instance and equal requests. A credential that asks for the same
 * key on every request binds it once ({@link TokenCache#bind(TokenKey)}) and keeps the {@link TokenCache.Handle},
 * which reaches the entry without a map lookup.
 */
public final class TokenKey {
  private final TokenSource source;
  private final TokenRequest request;
  private final int hash;

  private TokenKey(TokenSource source, TokenRequest request) {
    this.source = Objects.requireNonNull(source, "source");
    this.request = Objects.requireNonNull(request, "request");
    this.hash = 31 * System.identityHashCode(source) + request.hashCode();
  }

  /**
   * Creates a key.
   *
   * @param source the token source, compared by identity
   * @param request the scopes and identity
   * @return the key
   */
  public static TokenKey of(TokenSource source, TokenRequest request) {
    return new TokenKey(source, request);
  }

  /** @return the token source */
  public TokenSource source() {
    return source;
  }

  /** @return the scopes and identity */
  public TokenRequest request() {
    return request;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof TokenKey k && k.hash == hash && k.source == source && k.request.equals(request));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "TokenKey[" + source.describe() + ", scopes=" + request.scopes()
        + (request.identity() != null ? ", identity=" + request.identity() : "") + "]";
  }
}
