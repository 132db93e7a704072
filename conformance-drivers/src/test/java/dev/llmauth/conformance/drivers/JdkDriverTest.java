package dev.llmauth.conformance.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The JDK driver as the suites use it: a client per test, over one connection pool. */
class JdkDriverTest {
  @Test
  @DisplayName("clients opened one after another reuse one connection, so no suite piles up idle connections")
  void clientsShareOneConnectionPool() throws Exception {
    try (MockModelServer server = new MockModelServer().start()) {
      ProviderConfig config = ProviderConfig.builder("p").baseUrl(server.baseUrl().toString()).build();
      RequestAuthenticator authenticator = RequestAuthenticator.of(config, new StaticKey());
      AdapterDriver driver = AdapterDrivers.jdk();
      int clients = 20;
      for (int i = 0; i < clients; i++) {
        try (AdapterDriver.Client client = driver.open(authenticator);
            TestResponse r = client.send(TestRequest.postJson(server.url("/v1/chat/completions"),
                "{\"model\":\"m\",\"messages\":[]}"))) {
          r.bodyText();
          assertThat(r.status()).isEqualTo(200);
        }
      }
      Set<Integer> connections = server.recorded().stream().map(RecordedRequest::remotePort)
          .collect(Collectors.toSet());
      assertThat(server.recorded()).hasSize(clients);
      assertThat(connections).as("connections used by " + clients + " clients, one request each").hasSize(1);
    }
  }

  /** A credential with one fixed key. */
  private static final class StaticKey implements Credential {
    private final AccessToken key = AccessToken.nonExpiring(Secret.of("sk-driver-test"));

    @Override
    public String method() {
      return "api-key";
    }

    @Override
    public TokenUse use() {
      return TokenUse.BEARER;
    }

    @Override
    public String describe() {
      return "a fixed key";
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      return CompletableFuture.completedFuture(key);
    }

    @Override
    public boolean invalidate(AccessToken token) {
      return false;
    }
  }
}
