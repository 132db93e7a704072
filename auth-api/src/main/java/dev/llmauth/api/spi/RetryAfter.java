package dev.llmauth.api.spi;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * Reads an issuer's {@code Retry-After} header (RFC 9110, section 10.2.3) into the hint a method puts into its
 * {@link dev.llmauth.api.TokenException#retryAfter()}. Both forms are read: a number of seconds ({@code 120}) and
 * an HTTP date in the form every sender must use (IMF-fixdate, as {@code Wed, 21 Oct 2026 07:28:00 GMT}; the obsolete
 * RFC 850 and asctime forms are no hint). Whatever the issuer sends, the result is safe to wait for:
 *
 * <ul>
 *   <li>never more than {@link #MAXIMUM}, the longest the {@link dev.llmauth.api.TokenCache} waits anyway: a larger
 *       number, even one past the range of a {@code long}, or a date further ahead, gives {@link #MAXIMUM};
 *   <li>never negative: a date in the past gives {@link Duration#ZERO} (retry now);
 *   <li>{@code null} (no hint) for a negative number, anything else that is not one of the two forms, and an
 *       absent or empty header.
 * </ul>
 *
 * <pre>{@code
 * Duration hint = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
 * throw new TokenException(TokenException.TOKEN_UNAVAILABLE, "the issuer answered HTTP 429", false, hint, null);
 * }</pre>
 */
public final class RetryAfter {
  /** The longest hint: one hour, as long as the token cache ever backs off for a hint. */
  public static final Duration MAXIMUM = Duration.ofHours(1);
  /** Longer values are neither a number of seconds within {@link #MAXIMUM} nor a date, and are not looked at. */
  private static final int LONGEST = 64;

  private RetryAfter() {}

  /**
   * Reads a {@code Retry-After} value.
   *
   * @param value the header's value, or {@code null} when the answer has none
   * @param now the current time, against which a date is measured
   * @return the hint, between zero and {@link #MAXIMUM}, or {@code null} when there is none that can be used
   */
  public static @Nullable Duration parse(@Nullable String value, Instant now) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    if (v.isEmpty() || v.length() > LONGEST) {
      return null;
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // more than 18 digits may not fit a long, and is more than the maximum anyway
      if (v.length() > 18) {
        return MAXIMUM;
      }
      long seconds = Long.parseLong(v);
      return seconds > MAXIMUM.toSeconds() ? MAXIMUM : Duration.ofSeconds(seconds);
    }
    Instant at;
    try {
      at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeException notADate) {
      return null;
    }
    if (!at.isAfter(now)) {
      return Duration.ZERO;
    }
    Duration d = Duration.between(now, at);
    return d.compareTo(MAXIMUM) > 0 ? MAXIMUM : d;
  }
}
