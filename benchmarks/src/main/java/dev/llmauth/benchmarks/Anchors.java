package dev.llmauth.benchmarks;

import com.azure.core.credential.AccessTokenCache;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.google.auth.oauth2.OAuth2Credentials;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.utils.cache.CachedSupplier;
import software.amazon.awssdk.utils.cache.RefreshResult;

/**
 * The four token caches under test, each wired the way its users get it, over one {@link IssuedToken} supplier.
 * Every {@link Cached#get()} returns what goes into the request header.
 */
final class Anchors {
  static final String SCOPE = "https://cognitiveservices.azure.com/.default";

  private Anchors() {}

  /** A token cache as the benchmarks see it. */
  interface Cached extends AutoCloseable {
    /** @return the value to put in a header */
    Object get();

    /** @return whether {@link #getAsync()} is the library's own asynchronous path */
    default boolean hasAsync() {
      return false;
    }

    /** @return a future of what {@link #get()} returns, through the library's asynchronous path */
    default CompletableFuture<Object> getAsync() {
      throw new UnsupportedOperationException("no asynchronous path");
    }

    /** @return whether {@link #replay(Object)} drops one rejected token, as a 401 handler does */
    default boolean dropsRejectedTokens() {
      return false;
    }

    /**
     * What a request that got a 401 with {@code rejected} does before its replay: drop that token and get one.
     *
     * @param rejected what {@link #get()} returned for the rejected request
     * @return the value for the replay
     */
    default Object replay(Object rejected) {
      throw new UnsupportedOperationException("no way to drop one token");
    }

    @Override
    void close();
  }

  /** The implementations, in the order the tables show them. */
  enum Impl {
    OURS("ours") {
      @Override
      Cached create(Supplier<IssuedToken> source) {
        TokenCache cache = TokenCache.builder().build();
        TokenCache.Handle tokens = cache.bind(TokenKey.of(TokenSource.blocking((request, reason) -> {
          IssuedToken t = source.get();
          return AccessToken.of(Secret.of(t.value()), t.expiresAt());
        }, "benchmark source"), TokenRequest.forScope(SCOPE)));
        return new Cached() {
          @Override
          public Object get() {
            return tokens.get().value().reveal();
          }

          @Override
          public boolean hasAsync() {
            return true;
          }

          @Override
          public CompletableFuture<Object> getAsync() {
            return tokens.getAsync().thenApply(t -> t.value().reveal());
          }

          @Override
          public boolean dropsRejectedTokens() {
            return true;
          }

          @Override
          public Object replay(Object rejected) {
            // RequestAuthenticator.invalidate does this with the token the rejected request carried.
            AccessToken current = tokens.peek();
            if (current != null && current.value().reveal().equals(rejected)) {
              tokens.invalidate(current);
            }
            return get();
          }

          @Override
          public void close() {
            cache.close();
          }
        };
      }
    },
    AZURE_CORE("azureCore") {
      @Override
      Cached create(Supplier<IssuedToken> source) {
        // What BearerTokenAuthenticationPolicy (and so every azure-identity user) calls for each request.
        AccessTokenCache cache = new AccessTokenCache(new TokenCredential() {
          @Override
          public Mono<com.azure.core.credential.AccessToken> getToken(TokenRequestContext request) {
            return Mono.fromSupplier(() -> getTokenSync(request));
          }

          @Override
          public com.azure.core.credential.AccessToken getTokenSync(TokenRequestContext request) {
            IssuedToken t = source.get();
            return new com.azure.core.credential.AccessToken(t.value(), t.expiresAt().atOffset(ZoneOffset.UTC));
          }
        });
        TokenRequestContext context = new TokenRequestContext().addScopes(SCOPE);
        return new Cached() {
          @Override
          public Object get() {
            return cache.getTokenSync(context, false).getToken();
          }

          @Override
          public boolean hasAsync() {
            return true;
          }

          @Override
          public CompletableFuture<Object> getAsync() {
            // What the asynchronous BearerTokenAuthenticationPolicy subscribes to.
            return cache.getToken(context, false).toFuture().thenApply(t -> t.getToken());
          }

          @Override
          public void close() {}
        };
      }
    },
    GOOGLE_AUTH("googleAuth") {
      @Override
      Cached create(Supplier<IssuedToken> source) {
        OAuth2Credentials credentials = new SourceCredentials(source);
        return new Cached() {
          @Override
          public Object get() {
            try {
              // Already the header map: {Authorization=[Bearer ...]}.
              return credentials.getRequestMetadata();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }

          @Override
          public void close() {}
        };
      }
    },
    AWS_SDK("awsSdk") {
      @Override
      Cached create(Supplier<IssuedToken> source) {
        // Stale one minute before expiry, prefetch one minute before that (the SDK's jitter is then zero).
        CachedSupplier<String> supplier = CachedSupplier.builder(() -> {
          IssuedToken t = source.get();
          return RefreshResult.builder(t.value())
              .staleTime(t.expiresAt().minus(Duration.ofMinutes(1)))
              .prefetchTime(t.expiresAt().minus(Duration.ofMinutes(2)))
              .build();
        }).build();
        return new Cached() {
          @Override
          public Object get() {
            return supplier.get();
          }

          @Override
          public void close() {
            supplier.close();
          }
        };
      }
    };

    private final String id;

    Impl(String id) {
      this.id = id;
    }

    /** @return the name used in JSON and tables, equal to the JMH method name */
    String id() {
      return id;
    }

    abstract Cached create(Supplier<IssuedToken> source);
  }

  /** google-auth-library's extension point: a subclass that fetches in {@code refreshAccessToken}. */
  private static final class SourceCredentials extends OAuth2Credentials {
    private static final long serialVersionUID = 1L;
    private final transient Supplier<IssuedToken> source;

    SourceCredentials(Supplier<IssuedToken> source) {
      this.source = source;
    }

    @Override
    public com.google.auth.oauth2.AccessToken refreshAccessToken() {
      IssuedToken t = source.get();
      return new com.google.auth.oauth2.AccessToken(t.value(), Date.from(t.expiresAt()));
    }
  }
}
