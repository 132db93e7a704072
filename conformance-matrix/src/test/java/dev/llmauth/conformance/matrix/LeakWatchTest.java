package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The leak check sees what is logged at the lowest levels, through System.Logger and through SLF4J. */
@ExtendWith(LeakWatch.class)
class LeakWatchTest {
  @Test
  void capturesTheLowestLevelsOfSystemLoggerAndSlf4j() {
    // Not a fixture's secret: the check after this test does not fail on it.
    Secret probe = Secret.of("leak-probe-4f1c2e9a7b");

    System.getLogger("llmauth.leak.system").log(System.Logger.Level.TRACE, "token {0}", probe.reveal());
    LoggerFactory.getLogger("llmauth.leak.slf4j").trace("token {}", probe.reveal());
    System.getLogger("llmauth.leak.thrown").log(System.Logger.Level.DEBUG, "failed",
        new IllegalStateException("held " + probe.reveal()));

    assertThat(LeakWatch.loggersShowing(probe))
        .containsExactly("llmauth.leak.slf4j", "llmauth.leak.system", "llmauth.leak.thrown");
    assertThat(LeakWatch.loggersShowing(Secret.of("never-logged-0000"))).isEmpty();
  }
}
