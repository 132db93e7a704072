package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.ReferenceDriver.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Proves that every adapter rule passes for a correct adapter and fails, usefully, for a broken one. */
class HttpAdapterVerificationSelfTest {
  private static volatile Fault fault = Fault.NONE;

  /** The suite under test, with the adapter chosen by {@link #fault}. */
  static class Suite extends HttpAdapterVerification {
    @Override
    protected AdapterDriver adapter() {
      return new ReferenceDriver(fault);
    }

    @Override
    protected List<Named<Supplier<MethodFixture>>> methods() {
      return List.of(MethodFixture.named("scripted", ScriptedMethod::new),
          MethodFixture.named("static-key", StaticKeyMethod.Fixture::new));
    }

    @Override
    protected Duration patience() {
      return Duration.ofSeconds(3);
    }
  }

  private static Map<String, SuiteRunner.Outcome> run(Fault f) {
    fault = f;
    try {
      return SuiteRunner.run(Suite.class);
    } finally {
      fault = Fault.NONE;
    }
  }

  @Test
  void aCorrectAdapterPassesEveryRuleAndSkipsOnlyWithAReason() {
    Map<String, SuiteRunner.Outcome> outcomes = run(Fault.NONE);

    assertThat(outcomes.keySet()).hasSize(19).allMatch(n -> n.matches("(required|optional)_[ar]\\d+_\\w+"));
    outcomes.forEach((rule, o) -> {
      assertThat(o.failures).as(rule).isEmpty();
      assertThat(o.passed).as(rule + " passes with at least one method").isPositive();
      assertThat(o.skips).as(rule).allSatisfy(reason -> assertThat(reason).contains("cannot be checked"));
    });
    assertThat(outcomes.get("optional_a9_sendsAzureKeysInTheApiKeyHeader").skips)
        .containsExactly("A9 cannot be checked: method scripted sends bearer tokens to Azure OpenAI");
  }

  static Stream<Arguments> brokenAdapters() {
    return Stream.of(
        Arguments.of(Fault.KEEP_CONFLICTS, "required_a1_writesCredentialHeadersAndRemovesConflictingOnes",
            "A1: a conflicting api-key header must be removed"),
        Arguments.of(Fault.MUTATE_CALLER, "required_a2_leavesTheCallersRequestUntouched",
            "A2: the caller's request headers after the call"),
        Arguments.of(Fault.FETCH_EAGERLY, "required_a3_fetchesNoTokenBeforeTheFirstRequest",
            "A3: token requests after building the client and before any request"),
        Arguments.of(Fault.SERIALIZE, "required_a4_sharesOneFetchAmongConcurrentRequests",
            "concurrent requests asked for a token while the issuer was held"),
        Arguments.of(Fault.NO_REPLAY, "required_a5_on401RefreshesOnceReplaysOnceAndNeverLoops",
            "A5: requests at the server: the rejected one and one replay"),
        Arguments.of(Fault.REPLAY_LOOP, "required_a5_on401RefreshesOnceReplaysOnceAndNeverLoops",
            "never a loop"),
        Arguments.of(Fault.REPLAY_ONE_SHOT, "optional_a6_neverReplaysAOneShotBody",
            "A6: a 401 for a one-shot body goes back to the caller"),
        Arguments.of(Fault.IGNORE_CANCEL, "required_a7_cancellingACallEndsItsWaitForAToken",
            "A7: a call cancelled while waiting for a token must never be sent"),
        Arguments.of(Fault.BUFFER_STREAM, "required_a8_passesStreamedResponsesThroughUntouched",
            "the adapter buffers streamed responses"),
        Arguments.of(Fault.KEEP_CONFLICTS, "optional_a9_sendsAzureKeysInTheApiKeyHeader",
            "A9: no Authorization with an Azure key"),
        Arguments.of(Fault.KEEP_CONFLICTS, "required_a15_writesTheHeadersOfTheEndpointType",
            "A15 (type anthropic, method scripted): a conflicting api-key header must be removed"),
        Arguments.of(Fault.DUPLICATE_SET_HEADERS, "required_a10_mergesTheTokenIntoTheProviderDataHeader",
            "A10: exactly one X-Provider-Data"),
        Arguments.of(Fault.LEAK_SECRET, "required_a11_reportsCredentialFailuresClearlyAndWithoutSecrets",
            "shows a secret (sha256:"),
        Arguments.of(Fault.RAW_EXCEPTION, "required_a11_reportsCredentialFailuresClearlyAndWithoutSecrets",
            "A11: the failure must be the client's own exception type"),
        Arguments.of(Fault.DROP_QUERY, "required_a12_forwardsRequestsAndResponsesOtherwiseUnchanged",
            "A12: path and query"),
        Arguments.of(Fault.REDIRECT_WITH_CREDENTIAL,
            "required_a13_neverSendsTheCredentialAlongARedirectToAnotherHost",
            "A13: Authorization on a 307 redirect from http://127.0.0.1:"),
        Arguments.of(Fault.QUOTE_REFUSED_HEADER, "required_a14_refusesATokenTheClientCannotCarryWithoutShowingIt",
            "A14: a token with U+200B in Authorization: the failure"),
        Arguments.of(Fault.ROUTE_IGNORED, "required_r1_routesEachRequestToTheProviderItNames",
            "R1: the static header of the provider the request named (beta)"),
        Arguments.of(Fault.SEND_ROUTING_HEADER, "required_r1_routesEachRequestToTheProviderItNames",
            "R1: the routing header LlmAuth-Provider must never reach the server"),
        Arguments.of(Fault.UNKNOWN_TO_FIRST, "required_r2_anUnknownProviderFailsBeforeAnythingIsSentNamingIt",
            "the request naming provider gamma-unknown was sent and answered 200"),
        Arguments.of(Fault.DEFAULT_IGNORED, "required_r3_aRequestNamingNoProviderGetsTheDefaultOrFails",
            "R3: a request naming no provider goes to the default (beta)"),
        Arguments.of(Fault.REPLAY_ON_FIRST, "required_r4_a401IsHandledByTheRoutedProviderAlone",
            "R4: both went to beta"));
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @MethodSource("brokenAdapters")
  void aBrokenAdapterFailsItsRuleWithAUsefulMessage(Fault broken, String rule, String message) {
    Map<String, SuiteRunner.Outcome> outcomes = run(broken);

    assertThat(outcomes.get(rule)).as(rule).isNotNull();
    assertThat(outcomes.get(rule).failures).as(rule + " for " + broken).isNotEmpty()
        .anySatisfy(f -> assertThat(f).contains(message));
  }
}
