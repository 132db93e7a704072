package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The issuer check allows plain http on loopback only, as Loopback defines it")
class IssuerCheckTest {
  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:1/", "http://[::1]:9", "http://127.9.9.9",
      "https://auth.example.test"})
  void accepted(String issuer) {
    assertThat(OAuthClient.checkIssuer(issuer)).isEqualTo(issuer.endsWith("/")
        ? issuer.substring(0, issuer.length() - 1) : issuer);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.attacker.example", "http://x.localhost:8080", "http://127.0.0.1.example.test",
      "http://auth.example.test"})
  void plainHttpToANameThatOnlyLooksLocalIsRefused(String issuer) {
    assertThatThrownBy(() -> OAuthClient.checkIssuer(issuer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be an https URL");
  }
}
