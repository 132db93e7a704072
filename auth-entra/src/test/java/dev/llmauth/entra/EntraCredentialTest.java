package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenCredential;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.spi.Credential;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

@DisplayName("An Entra credential hands out a cached token without a future")
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
    TokenCredential azure = context -> Mono.fromSupplier(() -> {
      fetches.incrementAndGet();
      return new com.azure.core.credential.AccessToken("entra-token", OffsetDateTime.now().plusHours(1));
    });
    Credential credential = AzureTokenCredentials.credential(azure, "https://cognitiveservices.azure.com/.default",
        cache);
    assertThat(credential.method()).isEqualTo(EntraMethod.METHOD);
    assertThat(credential.tokenIfReady()).isNull();
    AccessToken fetched = credential.token().join();
    assertThat(fetched.value().reveal()).isEqualTo("entra-token");
    assertThat(credential.tokenIfReady()).isSameAs(fetched);
    assertThat(credential.tokenIfReady()).isSameAs(fetched);
    assertThat(fetches).hasValue(1);
    assertThat(credential.toString()).doesNotContain("entra-token");
  }
}
