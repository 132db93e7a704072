package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("IssuerTimeouts.read and ConfigNode.duration: issuer timeouts from a method's block")
class IssuerTimeoutsTest {
  private static final IssuerTimeouts DEFAULTS = new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));

  private static ConfigNode block(Map<String, ?> block) {
    return ConfigNode.of("p", Map.of("myMethod", block), "test").get("myMethod");
  }

  @Test
  @DisplayName("a block without them, or no block, keeps the defaults")
  void defaults() {
    assertThat(DEFAULTS.read(block(Map.of()))).isEqualTo(DEFAULTS);
    assertThat(DEFAULTS.read(ConfigNode.of("p", Map.of(), "test").get("myMethod"))).isSameAs(DEFAULTS);
    Map<String, Object> empty = new LinkedHashMap<>();
    empty.put("timeout", "");
    empty.put("connectTimeout", null);
    assertThat(DEFAULTS.read(block(empty))).isEqualTo(DEFAULTS);
  }

  @Test
  @DisplayName("each key overrides its own timeout, with a unit or as seconds")
  void overrides() {
    assertThat(DEFAULTS.read(block(Map.of("timeout", "500ms"))))
        .isEqualTo(new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500)));
    assertThat(DEFAULTS.read(block(Map.of("connectTimeout", 1.5, "timeout", "2m"))))
        .isEqualTo(new IssuerTimeouts(Duration.ofMillis(1500), Duration.ofMinutes(2)));
    assertThat(DEFAULTS.read(block(Map.of("timeout", "1h", "connectTimeout", " 10S "))))
        .isEqualTo(new IssuerTimeouts(Duration.ofSeconds(10), Duration.ofHours(1)));
    assertThat(DEFAULTS.read(block(Map.of("timeout", new BigDecimal("86400")))).exchange())
        .isEqualTo(Duration.ofDays(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "25h", "1.5s", "10", "ten seconds", "-1s", "1000000000ms"})
  @DisplayName("a string that is not a duration of more than 0 and at most a day is an error naming the path")
  void badStrings(String value) {
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("timeout", value))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("provider 'p', providers.p.myMethod.timeout: ")
        .hasMessageContaining("write a whole number with a unit, such as \"500ms\"");
  }

  @Test
  @DisplayName("numbers out of range and values of another kind are errors naming the path and the kind")
  void badValues() {
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("connectTimeout", 0))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("provider 'p', providers.p.myMethod.connectTimeout: must be more than 0 and at most one day; "
            + "write a whole number with a unit, such as \"500ms\", \"10s\", \"5m\" or \"1h\", or a number of "
            + "seconds");
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("connectTimeout", 86401))))
        .hasMessageContaining("must be more than 0 and at most one day");
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("timeout", true))))
        .hasMessageContaining("providers.p.myMethod.timeout: expected a duration but found a boolean");
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("timeout", List.of("5s")))))
        .hasMessageContaining("expected a duration but found an array");
    assertThatThrownBy(() -> DEFAULTS.read(block(Map.of("timeout", "soon"))))
        .hasMessageContaining("\"soon\" is not a duration");
  }
}
