package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("RetryAfter: seconds or an HTTP date, between zero and an hour, or no hint")
class RetryAfterTest {
  /** Tue, 01 Jan 2030 00:00:00 GMT. */
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  @DisplayName("a number of seconds is the hint, surrounding blanks ignored")
  void seconds() {
    assertThat(RetryAfter.parse("7", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("3600", NOW)).isEqualTo(Duration.ofHours(1));
    assertThat(RetryAfter.parse("0120", NOW)).isEqualTo(Duration.ofSeconds(120));
  }

  @ParameterizedTest
  @ValueSource(strings = {"3601", "86401", "99999999999999999", "9223372036854775807", "9223372036854775808",
      "99999999999999999999999"})
  @DisplayName("a huge number, even past the range of a long, saturates at the maximum of one hour")
  void huge(String value) {
    assertThat(RetryAfter.parse(value, NOW)).isEqualTo(RetryAfter.MAXIMUM).isEqualTo(Duration.ofHours(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5", "-99999999999999999", "+5", "soon", "5s", "1.5", "0x10", "", "   ",
      "Tue, 01 Jan 2030 00:01:30", "Tuesday, 01-Jan-30 00:01:30 GMT", "32 Jan 2030"})
  @DisplayName("a negative number and anything that is neither form is no hint")
  void noHint(String value) {
    assertThat(RetryAfter.parse(value, NOW)).as("'%s'", value).isNull();
  }

  @Test
  @DisplayName("an absent header and an overlong value are no hint")
  void absentOrOverlong() {
    assertThat(RetryAfter.parse(null, NOW)).isNull();
    assertThat(RetryAfter.parse("1".repeat(65), NOW)).isNull();
    assertThat(RetryAfter.parse("1".repeat(64), NOW)).isEqualTo(RetryAfter.MAXIMUM);
  }

  @Test
  @DisplayName("an HTTP date is the time until it, measured from now")
  void date() {
    assertThat(RetryAfter.parse("Tue, 01 Jan 2030 00:01:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(90));
    assertThat(RetryAfter.parse("Tue, 1 Jan 2030 00:00:01 GMT", NOW)).isEqualTo(Duration.ofSeconds(1));
    assertThat(RetryAfter.parse("Tue, 01 Jan 2030 00:01:30 GMT", NOW.plusSeconds(30)))
        .isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  @DisplayName("a date now or in the past means retry now; one further ahead than an hour saturates")
  void dateBounds() {
    assertThat(RetryAfter.parse("Tue, 01 Jan 2030 00:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("Mon, 31 Dec 2029 23:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("Tue, 01 Jan 2030 02:00:00 GMT", NOW)).isEqualTo(RetryAfter.MAXIMUM);
    assertThat(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", NOW)).isEqualTo(RetryAfter.MAXIMUM);
  }
}
