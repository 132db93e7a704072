package dev.llmauth.conformance.mock;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One faulty answer that a mock server gives instead of its next good one: queue it with {@code enqueue(Fault)} on
 * {@link MockIdentityServer}, {@link MockOAuthServer} or {@link MockModelServer}; faults are served one per
 * request, in order, before normal answers resume, and {@code clearFaults()} drops those not yet used.
 *
 * <p>Every server serves the faults that replace an answer: {@link #status(int)}, {@link #error(int, String)},
 * {@link #answer(int, String)}, {@link #delay(Duration)}, {@link #stall(Duration)} and {@link #connectionReset()}.
 * The token servers also serve {@link #shortBody()} and {@link #hugeBody(long)}, and the identity server, whose
 * answers the faults below break, {@link #malformedJson()}, {@link #truncatedJson()}, {@link
 * #missingField(String)} and {@link #trickle(Duration)}. A server refuses, at {@code enqueue}, a fault it does not
 * serve.
 */
public final class Fault {
  /** The default size of {@link #hugeBody()}: past 2 MiB. */
  static final long HUGE_BODY_BYTES = 2L * 1024 * 1024;

  /** How a faulty body is broken. */
  enum BrokenBody {
    /** Not JSON at all. */
    MALFORMED,
    /** A valid answer cut off after three quarters, in a complete HTTP response. */
    TRUNCATED,
    /** A 200 whose body is past {@link Fault#size()} bytes. */
    HUGE,
    /** No answer at all: the connection is closed once the request has arrived. */
    RESET,
    /** A 200 whose {@code Content-Length} promises more than is sent before the connection closes. */
    SHORT
  }

  private final int status;
  private final @Nullable String error;
  private final boolean errorGiven;
  private final @Nullable String retryAfter;
  private final @Nullable Duration delay;
  private final @Nullable BrokenBody body;
  private final @Nullable String missingField;
  private final @Nullable Duration trickle;
  private final @Nullable String answer;
  private final @Nullable Duration stall;
  private final long size;

  private Fault(Builder b) {
    this.status = b.status;
    this.error = b.error;
    this.errorGiven = b.errorGiven;
    this.retryAfter = b.retryAfter;
    this.delay = b.delay;
    this.body = b.body;
    this.missingField = b.missingField;
    this.trickle = b.trickle;
    this.answer = b.answer;
    this.stall = b.stall;
    this.size = b.size;
  }

  /**
   * An error status with the server's own error body.
   *
   * @param status the status, 400 to 599
   * @return the fault
   */
  public static Fault status(int status) {
    return new Builder().status(status).build();
  }

  /**
   * An error status with the server's own error body and {@code Retry-After} in whole seconds.
   *
   * @param status the status, such as 429 or 503
   * @param retryAfter the hint, sent in whole seconds
   * @return the fault
   */
  public static Fault status(int status, Duration retryAfter) {
    Builder b = new Builder().status(status);
    b.retryAfter = Long.toString(Objects.requireNonNull(retryAfter, "retryAfter").toSeconds());
    return b.build();
  }

  /**
   * An error status with the server's own error body and a {@code Retry-After} header value sent as it is, however
   * hostile: a number of seconds too large for any clock, a negative one, or text that is not a number.
   *
   * @param status the status, such as 429
   * @param retryAfter the header value, such as {@code 99999999999999999}, {@code -1} or {@code soon}
   * @return the fault
   */
  public static Fault status(int status, String retryAfter) {
    Builder b = new Builder().status(status);
    b.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    return b.build();
  }

  /**
   * An error status whose body carries an error code in the server's error shape (the OAuth issuer's {@code
   * {"error": {"code": …}}}, the identity endpoint's {@code {"error": …}}), or no body at all.
   *
   * @param status the status, 400 to 599
   * @param code the error code, such as {@code invalid_grant}, or {@code null} for an empty body
   * @return the fault
   */
  public static Fault error(int status, @Nullable String code) {
    Builder b = new Builder().status(status);
    b.error = code;
    b.errorGiven = true;
    return b.build();
  }

  /**
   * Like {@link #error(int, String)}, with a {@code Retry-After} header in whole seconds.
   *
   * @param status the status, such as 429 or 503
   * @param code the error code, or {@code null} for an empty body
   * @param retryAfter the hint, sent in whole seconds
   * @return the fault
   */
  public static Fault error(int status, @Nullable String code, Duration retryAfter) {
    Builder b = new Builder().status(status);
    b.error = code;
    b.errorGiven = true;
    b.retryAfter = Long.toString(Objects.requireNonNull(retryAfter, "retryAfter").toSeconds());
    return b.build();
  }

  /**
   * Like {@link #error(int, String)}, with a {@code Retry-After} header value sent as it is (see {@link
   * #status(int, String)}).
   *
   * @param status the status, such as 429
   * @param code the error code, or {@code null} for an empty body
   * @param retryAfter the header value, such as {@code soon}
   * @return the fault
   */
  public static Fault error(int status, @Nullable String code, String retryAfter) {
    Builder b = new Builder().status(status);
    b.error = code;
    b.errorGiven = true;
    b.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    return b.build();
  }

  /**
   * An answer with any status and any body, sent as {@code application/json} as it is: malformed JSON, an object
   * without {@code access_token}, a proxy's HTML page.
   *
   * @param status the status
   * @param body the body
   * @return the fault
   */
  public static Fault answer(int status, String body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100 to 599, got " + status);
    }
    Builder b = new Builder();
    b.status = status;
    b.answer = Objects.requireNonNull(body, "body");
    return b.build();
  }

  /**
   * A normal answer after a delay.
   *
   * @param delay the delay
   * @return the fault
   */
  public static Fault delay(Duration delay) {
    Builder b = new Builder();
    b.delay = Objects.requireNonNull(delay, "delay");
    return b.build();
  }

  /**
   * No answer: the request is held for {@code duration} (or until the server closes), then the connection is
   * closed; a client without a timeout waits that long.
   *
   * @param duration how long to hold the request
   * @return the fault
   */
  public static Fault stall(Duration duration) {
    Builder b = new Builder();
    b.stall = Objects.requireNonNull(duration, "duration");
    return b.build();
  }

  /** @return no answer: the connection is closed once the request has arrived */
  public static Fault connectionReset() {
    return new Builder().body(BrokenBody.RESET).build();
  }

  /** @return a 200 whose {@code Content-Length} promises more than is sent before the connection closes */
  public static Fault shortBody() {
    return new Builder().body(BrokenBody.SHORT).build();
  }

  /** @return a 200 whose JSON body is past 2 MiB */
  public static Fault hugeBody() {
    return hugeBody(HUGE_BODY_BYTES);
  }

  /**
   * A 200 whose JSON body is about {@code bytes} long, to test that clients cap what they read; the server stops
   * writing when the client hangs up.
   *
   * @param bytes the body size
   * @return the fault
   */
  public static Fault hugeBody(long bytes) {
    if (bytes < 64) {
      throw new IllegalArgumentException("a huge body is at least 64 bytes, got " + bytes);
    }
    Builder b = new Builder().body(BrokenBody.HUGE);
    b.size = bytes;
    return b.build();
  }

  /** @return a 200 whose body is not JSON */
  public static Fault malformedJson() {
    return new Builder().body(BrokenBody.MALFORMED).build();
  }

  /** @return a 200 whose body is cut off after three quarters: the token is in the part sent */
  public static Fault truncatedJson() {
    return new Builder().body(BrokenBody.TRUNCATED).build();
  }

  /**
   * A 200 without one field.
   *
   * @param field such as {@code access_token} or {@code expires_on}
   * @return the fault
   */
  public static Fault missingField(String field) {
    Builder b = new Builder();
    b.missingField = Objects.requireNonNull(field, "field");
    return b.build();
  }

  /**
   * A good 200 whose headers come at once and whose body then comes one byte per interval: a whole token answer
   * takes a few hundred intervals. {@link MockIdentityServer#tricklesAbandoned()} counts the clients that hung up
   * first.
   *
   * @param interval the pause before each byte
   * @return the fault
   */
  public static Fault trickle(Duration interval) {
    Builder b = new Builder();
    b.trickle = Objects.requireNonNull(interval, "interval");
    return b.build();
  }

  int status() {
    return status;
  }

  @Nullable String error() {
    return error;
  }

  boolean errorGiven() {
    return errorGiven;
  }

  /** @return the {@code Retry-After} header value to send, or {@code null} */
  @Nullable String retryAfter() {
    return retryAfter;
  }

  @Nullable Duration delay() {
    return delay;
  }

  @Nullable BrokenBody body() {
    return body;
  }

  @Nullable String missingField() {
    return missingField;
  }

  @Nullable Duration trickle() {
    return trickle;
  }

  @Nullable String answer() {
    return answer;
  }

  @Nullable Duration stall() {
    return stall;
  }

  long size() {
    return size;
  }

  /** @return whether this fault breaks a good answer rather than replacing it */
  boolean breaksAnswer() {
    return body == BrokenBody.MALFORMED || body == BrokenBody.TRUNCATED || missingField != null || trickle != null;
  }

  /**
   * Reads a fault from the identity server's {@code /__control/configure} JSON: {@code status}, {@code
   * retryAfterSeconds} or {@code retryAfter} (a header value sent as it is), {@code delayMillis}, {@code body} ({@code malformed}, {@code truncated}, {@code huge},
   * {@code reset}), {@code missingField}, {@code trickleMillis}; members combine (a delay before a status).
   */
  static Fault fromJson(JsonObject o) {
    Builder b = new Builder();
    b.status = o.has("status") ? o.get("status").getAsInt() : 0;
    if (o.has("retryAfter") && o.has("retryAfterSeconds")) {
      throw new IllegalArgumentException("give either \"retryAfter\" (sent as it is) or \"retryAfterSeconds\", "
          + "not both");
    }
    b.retryAfter = o.has("retryAfterSeconds") ? Long.toString(o.get("retryAfterSeconds").getAsLong())
        : o.has("retryAfter") ? o.get("retryAfter").getAsString() : null;
    b.delay = o.has("delayMillis") ? Duration.ofMillis(o.get("delayMillis").getAsLong()) : null;
    if (o.has("body")) {
      String text = o.get("body").getAsString();
      b.body = switch (text) {
        case "malformed" -> BrokenBody.MALFORMED;
        case "truncated" -> BrokenBody.TRUNCATED;
        case "huge" -> BrokenBody.HUGE;
        case "reset" -> BrokenBody.RESET;
        default -> throw new IllegalArgumentException(
            "body must be \"malformed\", \"truncated\", \"huge\" or \"reset\", got " + text);
      };
      if (b.body == BrokenBody.HUGE) {
        b.size = HUGE_BODY_BYTES;
      }
    }
    b.missingField = o.has("missingField") ? o.get("missingField").getAsString() : null;
    b.trickle = o.has("trickleMillis") ? Duration.ofMillis(o.get("trickleMillis").getAsLong()) : null;
    return b.build();
  }

  /** Shows the kind only. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Fault[");
    if (status != 0) {
      s.append("status=").append(status).append(' ');
    }
    if (errorGiven) {
      s.append("error=").append(error).append(' ');
    }
    if (retryAfter != null) {
      s.append("retryAfter=").append(retryAfter).append(' ');
    }
    if (delay != null) {
      s.append("delay=").append(delay).append(' ');
    }
    if (body != null) {
      s.append("body=").append(body.name().toLowerCase(java.util.Locale.ROOT)).append(' ');
    }
    if (missingField != null) {
      s.append("missingField=").append(missingField).append(' ');
    }
    if (trickle != null) {
      s.append("trickle=").append(trickle).append(' ');
    }
    if (answer != null) {
      s.append("answer ");
    }
    if (stall != null) {
      s.append("stall=").append(stall).append(' ');
    }
    return s.toString().trim() + "]";
  }

  private static final class Builder {
    int status;
    @Nullable String error;
    boolean errorGiven;
    @Nullable String retryAfter;
    @Nullable Duration delay;
    @Nullable BrokenBody body;
    @Nullable String missingField;
    @Nullable Duration trickle;
    @Nullable String answer;
    @Nullable Duration stall;
    long size;

    Builder status(int s) {
      if (s < 400 || s > 599) {
        throw new IllegalArgumentException("a fault status is 4xx or 5xx, got " + s);
      }
      status = s;
      return this;
    }

    Builder body(BrokenBody b) {
      body = b;
      return this;
    }

    Fault build() {
      return new Fault(this);
    }
  }
}
