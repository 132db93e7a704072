package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Loopback: only localhost, 127.0.0.0/8 literals and ::1")
class LoopbackTest {
  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080", "http://LOCALHOST", "http://127.0.0.1:1", "http://127.1.2.3",
      "http://127.255.255.255", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]/"})
  void loopback(String url) {
    assertThat(Loopback.isLoopbackHost(URI.create(url).getHost())).as(url).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.attacker.example", "http://127.0.0.1.attacker.example", "http://x.localhost",
      "http://localhost.attacker.example", "http://127.0.0.256", "http://127.0.1", "http://127.0.0.1.",
      "http://128.0.0.1", "http://0.0.0.0", "http://[::2]", "http://[::ffff:127.0.0.1]", "http://example.com",
      "http://127.0.0.0001"})
  void notLoopback(String url) {
    assertThat(Loopback.isLoopbackHost(URI.create(url).getHost())).as(url).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "127..0.1", "127.0.0.-1", "127.0.0.+1"})
  void oddTextIsNotLoopback(String host) {
    assertThat(Loopback.isLoopbackHost(host)).as(host).isFalse();
  }

  @Test
  void noHostIsNotLoopback() {
    assertThat(Loopback.isLoopbackHost(null)).isFalse();
  }
}
