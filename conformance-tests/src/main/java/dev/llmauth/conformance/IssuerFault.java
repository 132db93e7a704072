package dev.llmauth.conformance;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A way an issuer (identity endpoint, OAuth server) misbehaves, for {@link MethodFixture#injectFault} and the rules
 * F1 to F11 of {@code RULES.md}; rule F10 sends the {@link #HOSTILE_RETRY_AFTER} values through {@link
 * MethodFixture#rateLimitWith}. Each fault says whether retrying can help ({@link #permanent()}) and which words a
 * failure's message must contain to say what failed ({@link #named()}).
 */
public enum IssuerFault {
  /** The issuer accepts the connection and never answers; the method's own timeout must end the call. */
  TIMEOUT(false, "(?i)within|timed? ?out|time-?out"),
  /** The issuer closes the connection before it answers. */
  RESET(false, "(?i)connection|closed|reset"),
  /** The issuer answers 429 with {@code Retry-After: 7} ({@link #RETRY_AFTER}). */
  RATE_LIMITED(false, "\\b429\\b"),
  /** The issuer answers a server error: 500, 502, 503 or 504. */
  SERVER_ERROR(false, "\\b50[0-4]\\b"),
  /** The issuer refuses the request: 400, 401 or 403. Retrying cannot help. */
  REJECTED(true, "\\b40[013]\\b"),
  /** The issuer answers 200 with malformed or truncated JSON. */
  MALFORMED(false, "(?i)json|malformed|truncated"),
  /** The issuer answers 200 with JSON that has no access token. */
  MISSING_TOKEN(false, "(?i)access_token|access token"),
  /** The issuer answers 200 with a token that has already expired. */
  EXPIRED_TOKEN(false, "(?i)expired"),
  /** The issuer answers 200 with a body of several MiB. */
  HUGE_BODY(false, "(?i)larger|too large|too big|size|bytes|MiB"),
  /**
   * The issuer sends its status and headers at once, then the body one byte at a time, so slowly that the answer
   * would take far longer than the method's timeouts; one deadline for the whole exchange must end the call.
   */
  TRICKLE(false, "(?i)within|timed? ?out|time-?out|deadline");

  /** The {@code Retry-After} a {@link #RATE_LIMITED} issuer sends, in whole seconds. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(7);

  /**
   * The {@code Retry-After} values of rule F10, sent with a 429 ({@link MethodFixture#rateLimitWith}): a number of
   * seconds far beyond the range of milliseconds in a {@code long}, a negative one, and one that is not a number.
   */
  public static final List<String> HOSTILE_RETRY_AFTER = List.of("99999999999999999", "-99999999999999999", "soon");

  private final boolean permanent;
  private final Pattern named;

  IssuerFault(boolean permanent, String named) {
    this.permanent = permanent;
    this.named = Pattern.compile(named);
  }

  /** @return whether retrying cannot help, so the failure must say {@code isPermanent()} */
  public boolean permanent() {
    return permanent;
  }

  /** @return what a failure's message must contain (found anywhere in it) to say what failed */
  public Pattern named() {
    return named;
  }
}
