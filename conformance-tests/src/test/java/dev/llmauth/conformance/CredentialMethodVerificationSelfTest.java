package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.TestMethod.Fault;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves that every credential rule passes for a correct method and fails, usefully, for a broken one. */
class CredentialMethodVerificationSelfTest {
  /** The suite with the fetching test method. */
  static class Fetching extends CredentialMethodVerification {
    @Override
    protected MethodFixture newFixture() {
      return new TestMethod.Fixture();
    }
  }

  /** The suite with the static-key test method. */
  static class Static extends CredentialMethodVerification {
    @Override
    protected MethodFixture newFixture() {
      return new StaticKeyMethod.Fixture();
    }
  }

  private static Map<String, SuiteRunner.Outcome> run(Fault f) {
    TestMethod.fault = f;
    try {
      return SuiteRunner.run(Fetching.class);
    } finally {
      TestMethod.fault = Fault.NONE;
    }
  }

  @Test
  void correctMethodsPassEveryRule() {
    Map<String, SuiteRunner.Outcome> fetching = run(Fault.NONE);
    assertThat(fetching.keySet()).hasSize(14).allMatch(n -> n.matches("(required|optional)_c\\d+_\\w+"));
    fetching.forEach((rule, o) -> assertThat(o.passed).as(rule + ": " + o).isEqualTo(1));

    Map<String, SuiteRunner.Outcome> fixed = SuiteRunner.run(Static.class);
    fixed.forEach((rule, o) -> assertThat(o.failures).as(rule).isEmpty());
    assertThat(fixed.get("required_c7_sharesOneFetchAmongConcurrentCallers").skips)
        .containsExactly("C7 cannot be checked: method test-static-key never fetches");
    assertThat(fixed.get("required_c14_refreshesShortLivedTokensPerHalfLife").skips)
        .containsExactly("C14 cannot be checked: method test-static-key never fetches");
  }

  static Stream<Arguments> brokenMethods() {
    return Stream.of(
        Arguments.of(Fault.UNREGISTERED, "required_c1_isFoundByServiceLoader", "C1: providers ServiceLoader finds"),
        Arguments.of(Fault.BAD_ID, "required_c2_hasAWellFormedIdentity", "C2: method id"),
        Arguments.of(Fault.FETCH_ON_AVAILABILITY, "required_c3_availabilityFetchesNothing",
            "C3: issuer calls made by availability()"),
        Arguments.of(Fault.ALWAYS_AVAILABLE, "required_c4_saysWhyItCannotServe",
            "C4: available for a provider without this method's settings"),
        Arguments.of(Fault.FETCH_ON_CREATE, "required_c5_creatingFetchesNothing", "C5: issuer calls made by create()"),
        Arguments.of(Fault.EXPIRED, "required_c6_handsOutAUsableToken", "C6: token() failed: "
            + "dev.llmauth.api.TokenException: test issuer returned a token that expired"),
        Arguments.of(Fault.NO_SHARING, "required_c7_sharesOneFetchAmongConcurrentCallers",
            "C7: issuer calls for 100 concurrent token() calls"),
        Arguments.of(Fault.FALSE_INVALIDATE, "required_c8_invalidateTellsTheTruth",
            "C8: invalidate() returned true, so the next token must differ"),
        Arguments.of(Fault.LEAKY_DESCRIBE, "required_c9_neverShowsASecret", "C9: Credential.describe() shows a secret"),
        Arguments.of(Fault.THROWS_ON_FAILURE, "required_c10_reportsIssuerFailuresClearly",
            "C10: token() threw"),
        Arguments.of(Fault.LENIENT_CONFIG, "required_c11_rejectsAnUnknownFieldInItsBlock",
            "C11: the unknown field providers.conformance.testIssuer.llmAuthKitUnknownField was accepted"),
        Arguments.of(Fault.LENIENT_CONFIG, "required_c12_rejectsAWrongType",
            "C12: a value of the wrong type in providers.conformance.testIssuer was accepted"),
        Arguments.of(Fault.LEAKY_SETTINGS, "required_c13_neverShowsASecretSetting",
            "C13: the parsed settings' toString() with the secret field providers.conformance.testIssuer.password"),
        Arguments.of(Fault.REFRESHES_EVERY_REQUEST, "required_c14_refreshesShortLivedTokensPerHalfLife",
            "C14: the issuer was called at +5 s, 5 s after the call before"),
        Arguments.of(Fault.DUE_AT_ISSUE, "required_c14_refreshesShortLivedTokensPerHalfLife",
            "C14: issuer calls for 242 requests over 600 s with 120-second tokens"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("brokenMethods")
  void aBrokenMethodFailsItsRuleWithAUsefulMessage(Fault broken, String rule, String message) {
    Map<String, SuiteRunner.Outcome> outcomes = run(broken);

    assertThat(outcomes.get(rule)).as(rule).isNotNull();
    assertThat(outcomes.get(rule).failures).as(rule + " for " + broken).isNotEmpty()
        .anySatisfy(f -> assertThat(f).contains(message));
  }
}
