package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EntraCredential hands out a cached token without a future")
class EntraCredentialTest {
  private final TokenCache cache = TokenCache.builder().executor(Runnable::run).build();

  @AfterEach
  void close() {
    cache.close();
  }

  @Test
  @DisplayName("tokenIfReady is null before the first fetch, then the cached token itself")
  void tokenIfReady() {
    AtomicInteger fetches = new AtomicInteger();
    TokenSource source = TokenSource.blocking((request, reason) -> {
      fetches.incrementAndGet();
      return AccessToken.of(Secret.of("entra-token"), Instant.now().plus(Duration.ofHours(1)));
    }, "test source");
    EntraCredential credential = new EntraCredential(cache, source,
        TokenRequest.forScope("https://cognitiveservices.azure.com/.default"), "test credential");
    assertThat(credential.tokenIfReady()).isNull();
    AccessToken fetched = credential.token().join();
    assertThat(credential.tokenIfReady()).isSameAs(fetched);
    assertThat(credential.tokenIfReady()).isSameAs(fetched);
    assertThat(fetches).hasValue(1);
  }
}
