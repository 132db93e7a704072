package dev.llmauth.api;

import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The key of one {@link TokenCache} entry: a source and a request (scopes and identity). Create it once and keep
 * it: a kept key remembers its entry, so a cache hit is a field read, without a map lookup or an allocation.
 */
public final class TokenKey {
  private final TokenSource source;
  private final TokenRequest request;
  private final int hash;
  /** The entry this key was last bound to, owned by {@link TokenCache}; lets cache hits skip the map. */
  volatile @Nullable Object binding;
  /** The provider whose credential created this key, when {@link LlmAuth} created that credential. */
  final @Nullable Origin origin;

  private static final ThreadLocal<@Nullable Origin> CREATING = new ThreadLocal<>();

  private TokenKey(TokenSource source, TokenRequest request) {
    this.source = Objects.requireNonNull(source, "source");
    this.request = Objects.requireNonNull(request, "request");
    this.hash = 31 * System.identityHashCode(source) + request.hashCode();
    this.origin = CREATING.get();
  }

  /**
   * Runs a credential's creation so that the keys it creates know their provider, for {@link TokenEvent}s.
   * Credentials create their keys when they are created, once, so this costs nothing per request.
   */
  static <T> T creating(Origin origin, Supplier<T> create) {
    Origin outer = CREATING.get();
    CREATING.set(origin);
    try {
      return create.get();
    } finally {
      if (outer == null) {
        CREATING.remove();
      } else {
        CREATING.set(outer);
      }
    }
  }

  /** Who a key belongs to: the provider, its method, and the listeners of the {@link LlmAuth} that made it. */
  record Origin(String provider, String method, TokenEvents events) {}

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
