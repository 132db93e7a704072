package dev.llmauth.api.spi;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Credential} of a method whose tokens come from a {@link TokenSource}: every token goes through the
 * shared {@link TokenCache} of the {@link ResolutionContext}, which fetches lazily, refreshes ahead of expiry and
 * makes concurrent callers share one fetch. A method writes the source and builds the credential; the glue is here:
 *
 * <ul>
 *   <li>the credential binds its key (source and request) to the cache once, when it is built, and keeps the
 *       {@link TokenCache.Handle}, which reaches the entry without a map lookup;
 *   <li>{@link #token()} is the handle's {@link TokenCache.Handle#getAsync}, a future of the caller's own;
 *   <li>{@link #tokenIfReady()} is the handle's {@link TokenCache.Handle#getIfUsable}: a few field reads, no lock
 *       and no allocation while the token is fresh;
 *   <li>{@link #invalidate} first tells the method ({@link Builder#onRejected}, for a source that keeps tokens of its
 *       own), then drops the token from the cache if it is still the cached one, so that many 401s for one token
 *       cause one fetch, with {@link FetchReason#INVALIDATED}. It returns whether a replay may get another token:
 *       {@code true} unless the cache still holds the very token that was rejected.
 * </ul>
 *
 * <p>Creating the credential fetches nothing. In a method's {@link CredentialMethod#create}:
 *
 * <pre>{@code
 * TokenSource source = new MyTokenSource(settings);
 * return CachedCredential.builder("my-method", context.tokenCache(), source)
 *     .request(TokenRequest.forScope(settings.scope()))
 *     .description("my issuer at " + settings.issuer())
 *     .build();
 * }</pre>
 */
public final class CachedCredential implements Credential {
  private final String method;
  private final TokenCache.Handle tokens;
  private final TokenUse use;
  private final String description;
  private final @Nullable Consumer<AccessToken> onRejected;

  private CachedCredential(Builder b) {
    this.method = b.method;
    this.tokens = b.cache.bind(TokenKey.of(b.source, b.request));
    this.use = b.use;
    this.description = b.description != null ? b.description : b.source.describe();
    this.onRejected = b.onRejected;
  }

  /**
   * Starts a credential of {@code method} whose tokens {@code source} fetches through {@code cache}.
   *
   * @param method the method id, such as {@code entra}
   * @param cache the shared cache, {@link ResolutionContext#tokenCache()}
   * @param source the source; the cache keys its entries by it (by identity) and the request
   * @return a builder with the defaults: {@link TokenRequest#none()}, {@link TokenUse#BEARER}, the source's {@link
   *     TokenSource#describe()}, no rejection hook
   */
  public static Builder builder(String method, TokenCache cache, TokenSource source) {
    return new Builder(method, cache, source);
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public TokenUse use() {
    return use;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public CompletableFuture<AccessToken> token() {
    return tokens.getAsync();
  }

  @Override
  public @Nullable AccessToken tokenIfReady() {
    return tokens.getIfUsable();
  }

  @Override
  public boolean invalidate(AccessToken token) {
    Consumer<AccessToken> hook = onRejected;
    if (hook != null) {
      hook.accept(token);
    }
    if (tokens.invalidate(token)) {
      return true;
    }
    AccessToken current = tokens.peek();
    return current == null || !current.value().equals(token.value());
  }

  /** Shows the method and the description, never a token. */
  @Override
  public String toString() {
    return "CachedCredential[" + method + ", " + description + "]";
  }

  /** Configures a {@link CachedCredential}. */
  public static final class Builder {
    private final String method;
    private final TokenCache cache;
    private final TokenSource source;
    private TokenRequest request = TokenRequest.none();
    private TokenUse use = TokenUse.BEARER;
    private @Nullable String description;
    private @Nullable Consumer<AccessToken> onRejected;

    private Builder(String method, TokenCache cache, TokenSource source) {
      this.method = Objects.requireNonNull(method, "method");
      this.cache = Objects.requireNonNull(cache, "cache");
      this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * Sets what the tokens are for; with the source it keys the cache entry.
     *
     * @param request the scopes and identity, {@link TokenRequest#none()} by default
     * @return this builder
     */
    public Builder request(TokenRequest request) {
      this.request = Objects.requireNonNull(request, "request");
      return this;
    }

    /**
     * Sets how the token goes onto a request.
     *
     * @param use {@link TokenUse#BEARER} by default
     * @return this builder
     */
    public Builder use(TokenUse use) {
      this.use = Objects.requireNonNull(use, "use");
      return this;
    }

    /**
     * Sets what {@link Credential#describe()} says; never a secret.
     *
     * @param description the description, the source's {@link TokenSource#describe()} by default
     * @return this builder
     */
    public Builder description(String description) {
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /**
     * Sets what runs when the server rejects a token, before the cache drops it: a source that keeps tokens of its
     * own (as MSAL does) forgets the token here, so that the next fetch cannot hand it back.
     *
     * @param onRejected called with the rejected token; it must not throw
     * @return this builder
     */
    public Builder onRejected(Consumer<AccessToken> onRejected) {
      this.onRejected = Objects.requireNonNull(onRejected, "onRejected");
      return this;
    }

    /** @return the credential; nothing is fetched until its first {@link Credential#token()} */
    public CachedCredential build() {
      return new CachedCredential(this);
    }
  }
}
