package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The identity endpoints' {@code Retry-After}, read once for both Entra paths. */
class RetryAfterTest {
  @Test
  void secondsAreReadAndBoundedAndAnythingElseIsDropped() {
    assertThat(AzureSources.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(AzureSources.retryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    assertThat(AzureSources.retryAfter("86401")).isEqualTo(AzureSources.MAX_RETRY_AFTER);
    assertThat(AzureSources.retryAfter("99999999999999999")).isEqualTo(AzureSources.MAX_RETRY_AFTER);
    assertThat(AzureSources.retryAfter("9223372036854775807")).isEqualTo(AzureSources.MAX_RETRY_AFTER);
    assertThat(AzureSources.retryAfter("99999999999999999999999")).isEqualTo(AzureSources.MAX_RETRY_AFTER);
    assertThat(AzureSources.retryAfter("-99999999999999999")).isNull();
    assertThat(AzureSources.retryAfter("-5")).isNull();
    assertThat(AzureSources.retryAfter("soon")).isNull();
    assertThat(AzureSources.retryAfter("Tue, 01 Jan 2030 00:01:30 GMT")).isNull();
    assertThat(AzureSources.retryAfter("")).isNull();
    assertThat(AzureSources.retryAfter(null)).isNull();
  }
}
