package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The default clock")
@org.junit.jupiter.api.Timeout(10)
class CoarseClockTest {
  @Test
  @DisplayName("stays within a few ticks of the system clock and moves forward")
  void tracksSystemClock() {
    long before = System.currentTimeMillis();
    long coarse = CoarseClock.INSTANCE.millis();
    long after = System.currentTimeMillis();
    // It may lag by up to one tick (plus scheduling delay on a busy machine), never lead.
    assertThat(coarse).isLessThanOrEqualTo(after).isGreaterThan(before - 5_000);
    long later = System.currentTimeMillis() + 100;
    long seen = coarse;
    while (seen < later) { // moves forward: a ticker that stopped fails the test by its timeout
      Thread.onSpinWait();
      seen = CoarseClock.INSTANCE.millis();
    }
    // and even right after a tick it is never ahead of the system clock
    assertThat(seen).isLessThanOrEqualTo(System.currentTimeMillis());
  }

  @Test
  @DisplayName("runs its ticker as a daemon thread")
  void daemonTicker() {
    CoarseClock.INSTANCE.millis();
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals("llm-auth-clock"))
        .singleElement().matches(Thread::isDaemon);
  }
}
