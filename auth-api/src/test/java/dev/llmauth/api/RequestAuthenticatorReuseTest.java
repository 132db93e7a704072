package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RequestAuthenticator builds the headers once per token, not once per request")
class RequestAuthenticatorReuseTest {
  private static final URI HTTPS = URI.create("https://res.openai.azure.com/openai/v1/chat/completions");
  private static final OutgoingRequest REQUEST = OutgoingRequest.of("POST", HTTPS, Map.of());

  private final FakeClock clock = new FakeClock();
  private final AtomicInteger issued = new AtomicInteger();
  private final TokenCache cache = TokenCache.builder().clock(clock).executor(Runnable::run).build();
  private final CacheCredential credential = new CacheCredential(cache, TokenKey.of(TokenSource.blocking(
      (request, reason) -> AccessToken.of(Secret.of("tok-" + issued.incrementAndGet()), clock.plus(Duration.ofHours(1))),
      "counting source"), TokenRequest.forScope("https://cognitiveservices.azure.com/.default")));

  @AfterEach
  void close() {
    cache.close();
  }

  @Test
  @DisplayName("a cached token is taken from the credential without a future, and the same edits are returned")
  void cachedTokenReusesTheEdits() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("azure").build(), credential);
    Authorization first = auth.authorize(REQUEST);
    Authorization second = auth.authorize(REQUEST);
    Authorization async = auth.authorizeAsync(REQUEST).join();
    assertThat(second).isSameAs(first);
    assertThat(async).isSameAs(first);
    assertThat(credential.futures).as("token() only for the first fetch").hasValue(1);
    assertThat(headers(second)).containsExactly(Map.entry("Authorization", "Bearer tok-1"));
    assertThat(second.headersToRemove()).containsExactly("authorization", "api-key", "x-api-key", "x-goog-api-key");
  }

  @Test
  @DisplayName("a new token gets new edits, and invalidating them reaches the cache")
  void newTokenNewEdits() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("azure").build(), credential);
    Authorization first = auth.authorize(REQUEST);
    clock.advance(Duration.ofHours(2));
    Authorization afterExpiry = auth.authorize(REQUEST);
    assertThat(headers(afterExpiry)).containsExactly(Map.entry("Authorization", "Bearer tok-2"));
    assertThat(auth.invalidate(afterExpiry)).isTrue();
    assertThat(headers(auth.authorizeAsync(REQUEST).join())).containsExactly(Map.entry("Authorization", "Bearer tok-3"));
    assertThat(headers(first)).containsExactly(Map.entry("Authorization", "Bearer tok-1"));
  }

  @Test
  @DisplayName("a request's own provider-data header is merged per request; without one the edits are reused")
  void providerDataPerRequest() {
    ProviderConfig pc = ProviderConfig.builder("gw").baseUrl("https://res.openai.azure.com")
        .providerDataHeader("X-Data").build();
    RequestAuthenticator auth = RequestAuthenticator.of(pc, credential);
    Authorization plain = auth.authorize(REQUEST);
    assertThat(auth.authorize(REQUEST)).isSameAs(plain);
    for (String own : List.of("{\"a\":\"1\"}", "{\"b\":\"2\"}")) {
      Authorization merged = auth.authorize(OutgoingRequest.of("POST", HTTPS, Map.of("x-data", List.of(own))));
      assertThat(JsonParser.parseString(headers(merged).get("X-Data")).getAsJsonObject().keySet())
          .containsExactlyInAnyOrder(JsonParser.parseString(own).getAsJsonObject().keySet().iterator().next(),
              "azure_api_key", "azure_api_base");
    }
    assertThat(JsonParser.parseString(headers(plain).get("X-Data")).getAsJsonObject().keySet())
        .containsExactlyInAnyOrder("azure_api_key", "azure_api_base");
  }

  @Test
  @DisplayName("authorizing with a cached token allocates nothing (counted with the thread's allocation counter)")
  void noAllocationPerRequest() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("azure").build(), credential);
    long id = Thread.currentThread().getId();
    int calls = 200_000;
    Authorization last = null;
    for (int i = 0; i < calls; i++) {
      last = auth.authorize(REQUEST);
    }
    long empty = -threads.getThreadAllocatedBytes(id) + threads.getThreadAllocatedBytes(id);
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < calls; i++) {
      last = auth.authorize(REQUEST);
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before - empty;
    assertThat(last).isNotNull();
    // One request built its headers for about 500 bytes; a bound of a byte per call leaves room for the counter.
    assertThat(allocated).as("bytes allocated by %d calls", calls).isLessThan(calls);
  }

  private static Map<String, String> headers(Authorization a) {
    Map<String, String> out = new HashMap<>();
    a.forEachHeader(out::put);
    return out;
  }

  /** Like the Entra and Codex credentials: a token cache behind a kept handle; counts the futures it hands out. */
  private static final class CacheCredential implements Credential {
    final AtomicInteger futures = new AtomicInteger();
    private final TokenCache.Handle tokens;

    CacheCredential(TokenCache cache, TokenKey key) {
      this.tokens = cache.bind(key);
    }

    @Override
    public String method() {
      return "cached";
    }

    @Override
    public TokenUse use() {
      return TokenUse.BEARER;
    }

    @Override
    public String describe() {
      return "a cached token";
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      futures.incrementAndGet();
      return tokens.getAsync();
    }

    @Override
    public @Nullable AccessToken tokenIfReady() {
      return tokens.getIfUsable();
    }

    @Override
    public boolean invalidate(AccessToken token) {
      return tokens.invalidate(token);
    }
  }
}
