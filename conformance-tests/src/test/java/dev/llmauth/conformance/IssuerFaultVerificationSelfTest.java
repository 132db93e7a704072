package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.FlawedMethod.Flaw;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves that the fault rules pass for a careful method, skip a static key, and fail for flawed methods. */
class IssuerFaultVerificationSelfTest {
  private static volatile @Nullable Flaw flaw;

  /** The suite under test, with the method chosen by {@link #flaw}. */
  static class Suite extends IssuerFaultVerification {
    @Override
    protected AdapterDriver adapter() {
      return new ReferenceDriver(ReferenceDriver.Fault.NONE);
    }

    @Override
    protected List<Named<Supplier<MethodFixture>>> methods() {
      Flaw f = flaw;
      if (f != null) {
        return List.of(MethodFixture.named("flawed", () -> new FlawedMethod(f)));
      }
      return List.of(MethodFixture.named("scripted", ScriptedMethod::new),
          MethodFixture.named("static-key", StaticKeyMethod.Fixture::new));
    }

    @Override
    protected Duration patience() {
      return Duration.ofSeconds(3);
    }
  }

  private static Map<String, SuiteRunner.Outcome> run(@Nullable Flaw f) {
    flaw = f;
    try {
      return SuiteRunner.run(Suite.class);
    } finally {
      flaw = null;
    }
  }

  @Test
  void aCarefulMethodPassesEveryRuleAndAStaticKeyIsSkippedWithAReason() {
    Map<String, SuiteRunner.Outcome> outcomes = run(null);

    assertThat(outcomes.keySet()).hasSize(11).allMatch(n -> n.matches("required_f\\d+_\\w+"));
    outcomes.forEach((rule, o) -> {
      assertThat(o.failures).as(rule).isEmpty();
      assertThat(o.passed).as(rule).isEqualTo(1);
      assertThat(o.skips).as(rule).singleElement().satisfies(reason -> assertThat(reason)
          .matches("F\\d+ cannot be checked: method test-static-key has no issuer that can be made to answer "
              + "([A-Z_]+|429 with Retry-After: \\d+ \\(hook rateLimitWith\\))"));
    });
  }

  static Stream<Arguments> flawedMethods() {
    return Stream.of(
        Arguments.of(Flaw.REFUSAL_AS_TRANSIENT, "required_f5_aRefusalIsPermanentAndNotRetried",
            "F5: isPermanent() of the failure for REJECTED"),
        Arguments.of(Flaw.LEAKS_REFRESH_TOKEN, "required_f4_aServerErrorIsTransient",
            "F4: the failure (java.io.IOException) shows a secret (sha256:"),
        Arguments.of(Flaw.LEAKS_REFRESH_TOKEN, "required_f1_anIssuerThatNeverAnswersTimesOut",
            "shows a secret (sha256:"),
        Arguments.of(Flaw.KEEPS_THE_FAILURE, "required_f2_aResetConnectionIsTransient",
            "F2: after the issuer recovered from RESET, the next request failed"),
        Arguments.of(Flaw.DROPS_RETRY_AFTER, "required_f3_rateLimitingIsTransientAndCarriesRetryAfter",
            "F3: retryAfter() of a 429 that said Retry-After: 7"),
        Arguments.of(Flaw.PASSES_NEGATIVE_RETRY_AFTER, "required_f10_aHostileRetryAfterNeverWedgesTheCredential",
            "F10 (Retry-After: -99999999999999999): retryAfter() is PT-"),
        Arguments.of(Flaw.READS_UNTIL_THE_END, "required_f11_aTrickledAnswerIsCutOffByTheDeadline",
            "F11: the request did not end within 3000 ms while the issuer answered TRICKLE"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("flawedMethods")
  void aFlawedMethodFailsItsRuleWithAUsefulMessage(Flaw broken, String rule, String message) {
    Map<String, SuiteRunner.Outcome> outcomes = run(broken);

    assertThat(outcomes.get(rule)).as(rule).isNotNull();
    assertThat(outcomes.get(rule).failures).as(rule + " for " + broken).singleElement()
        .satisfies(f -> assertThat(f).contains(message));
  }
}
