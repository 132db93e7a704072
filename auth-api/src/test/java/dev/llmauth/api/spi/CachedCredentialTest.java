package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CachedCredential: a token source over the shared token cache")
class CachedCredentialTest {
  private final TokenCache cache = TokenCache.builder().executor(Runnable::run).build();
  private final List<FetchReason> reasons = new CopyOnWriteArrayList<>();
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger issued = new AtomicInteger();
  private final TokenSource source = new TokenSource() {
    @Override
    public CompletableFuture<AccessToken> fetch(TokenRequest request, FetchReason reason) {
      reasons.add(reason);
      requests.add(request);
      return CompletableFuture.completedFuture(AccessToken.of(Secret.of("token-" + issued.incrementAndGet()),
          Instant.now().plus(Duration.ofHours(1))));
    }

    @Override
    public String describe() {
      return "counting source";
    }
  };

  @AfterEach
  void close() {
    cache.close();
  }

  @Test
  @DisplayName("creating fetches nothing; token() fetches once and later callers share the cached token")
  void lazyAndShared() throws Exception {
    CachedCredential credential = CachedCredential.builder("m", cache, source).build();
    assertThat(reasons).isEmpty();
    assertThat(credential.tokenIfReady()).isNull();
    AccessToken first = credential.token().get();
    assertThat(first.value().reveal()).isEqualTo("token-1");
    assertThat(credential.token().get()).isSameAs(first);
    assertThat(credential.tokenIfReady()).isSameAs(first);
    assertThat(reasons).containsExactly(FetchReason.INITIAL);
    assertThat(requests).containsExactly(TokenRequest.none());
  }

  @Test
  @DisplayName("the defaults: bearer, the source's description, no scopes; each can be set")
  void settings() throws Exception {
    CachedCredential plain = CachedCredential.builder("m", cache, source).build();
    assertThat(plain.method()).isEqualTo("m");
    assertThat(plain.use()).isEqualTo(Credential.TokenUse.BEARER);
    assertThat(plain.describe()).isEqualTo("counting source");
    TokenRequest scoped = new TokenRequest(List.of("api://x/.default"), "clientId=c");
    CachedCredential set = CachedCredential.builder("m", cache, source).request(scoped)
        .use(Credential.TokenUse.API_KEY_HEADER).description("described").build();
    assertThat(set.use()).isEqualTo(Credential.TokenUse.API_KEY_HEADER);
    assertThat(set.describe()).isEqualTo("described");
    set.token().get();
    assertThat(requests).containsExactly(scoped);
  }

  @Test
  @DisplayName("a rejected token goes to the hook first, then from the cache: one INVALIDATED fetch for many 401s")
  void invalidate() throws Exception {
    List<String> rejected = new CopyOnWriteArrayList<>();
    List<String> cachedWhenRejected = new CopyOnWriteArrayList<>();
    TokenKey sameEntry = TokenKey.of(source, TokenRequest.none());
    CachedCredential credential = CachedCredential.builder("m", cache, source)
        .onRejected(t -> {
          rejected.add(t.value().reveal());
          AccessToken cached = cache.peek(sameEntry);
          cachedWhenRejected.add(cached == null ? "none" : cached.value().reveal());
        }).build();
    AccessToken first = credential.token().get();
    assertThat(credential.invalidate(first)).as("a replay may help").isTrue();
    assertThat(credential.invalidate(first)).as("the entry is gone: the next token() fetches").isTrue();
    AccessToken second = credential.token().get();
    assertThat(second.value().reveal()).isEqualTo("token-2");
    assertThat(credential.invalidate(first)).as("a stale 401: the cache already holds another token").isTrue();
    assertThat(credential.token().get()).isSameAs(second);
    assertThat(reasons).containsExactly(FetchReason.INITIAL, FetchReason.INVALIDATED);
    assertThat(rejected).containsExactly("token-1", "token-1", "token-1");
    assertThat(cachedWhenRejected).as("what the cache held when the hook ran").containsExactly("token-1", "none",
        "token-2");
  }

  @Test
  @DisplayName("a failing source fails token() with its TokenException; toString shows no token")
  void failure() throws Exception {
    TokenException refused = new TokenException("the issuer refused", null);
    CachedCredential credential = CachedCredential.builder("m", cache,
        (request, reason) -> CompletableFuture.failedFuture(refused)).description("refusing").build();
    assertThatThrownBy(() -> credential.token().get()).isInstanceOf(ExecutionException.class)
        .satisfies(e -> assertThat(Futures.unwrap(e)).isSameAs(refused));
    CachedCredential ok = CachedCredential.builder("m", cache, source).build();
    ok.token().get();
    assertThat(ok.toString()).isEqualTo("CachedCredential[m, counting source]").doesNotContain("token-1");
  }
}
