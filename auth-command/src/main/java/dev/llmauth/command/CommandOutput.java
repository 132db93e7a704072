package dev.llmauth.command;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns what a command printed on stdout into a token. Messages say what is wrong with the output and never quote
 * it: the output carries the secret.
 *
 * <p>Text: the whole output, with leading and trailing whitespace removed, is the token; it must be one word of
 * visible ASCII. JSON: an object with a string {@code token} and at most one of {@code expires_in} (seconds, a
 * number or a string of digits) and {@code expires_at} (epoch seconds as a number or a string of digits, or an RFC
 * 3339 date-time with an offset); other fields are ignored. A token without an expiry is used for {@code
 * refreshAfter}, then the command runs again in the background while it stays in use.
 */
final class CommandOutput {
  /** Epoch seconds above this are surely milliseconds (year 5138). */
  private static final long MAX_EPOCH_SECONDS = 100_000_000_000L;

  private CommandOutput() {}

  static AccessToken parse(String stdout, CommandSpec.Format format, Instant now, Duration refreshAfter,
      String what) {
    String text = stdout.strip();
    if (text.isEmpty()) {
      throw new TokenException(what + " printed nothing on stdout; make it print the key or token", null);
    }
    boolean json = format == CommandSpec.Format.JSON
        || format == CommandSpec.Format.AUTO && text.charAt(0) == '{';
    return json ? json(text, now, refreshAfter, what) : text(text, now, refreshAfter, what);
  }

  private static AccessToken text(String text, Instant now, Duration refreshAfter, String what) {
    return withoutExpiry(token(text, what, "its output"), now, refreshAfter);
  }

  private static AccessToken withoutExpiry(Secret token, Instant now, Duration refreshAfter) {
    return AccessToken.of(token, Instant.MAX, now.plus(refreshAfter));
  }

  private static Secret token(String value, String what, String where) {
    if (value.isEmpty()) {
      throw new TokenException(what + " printed an empty token in " + where + "; make it print the key or token",
          null);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new TokenException(what + " printed " + where + " with whitespace or characters that cannot go in "
            + "an HTTP header (at position " + (i + 1) + " of " + value.length() + "); make it print only the "
            + "token, on one line, or print JSON {\"token\": ...} and set format json", null);
      }
    }
    return Secret.of(value);
  }

  private static AccessToken json(String text, Instant now, Duration refreshAfter, String what) {
    String token = null;
    String expiresIn = null;
    String expiresAt = null;
    boolean accessToken = false;
    Set<String> seen = new HashSet<>();
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      r.setNestingLimit(20);
      if (r.peek() != JsonToken.BEGIN_OBJECT) {
        throw invalid(what, "is not a JSON object");
      }
      r.beginObject();
      while (r.hasNext()) {
        String name = r.nextName();
        if (!seen.add(name)) {
          throw invalid(what, "has the field " + name + " twice");
        }
        switch (name) {
          case "token" -> token = string(r, what, "token");
          case "expires_in" -> expiresIn = scalar(r, what, "expires_in");
          case "expires_at" -> expiresAt = scalar(r, what, "expires_at");
          default -> {
            accessToken |= name.equals("access_token") || name.equals("accessToken");
            r.skipValue();
          }
        }
      }
      r.endObject();
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw invalid(what, "has text after the JSON object");
      }
    } catch (IOException | IllegalStateException e) {
      // Gson's messages give a position and never the input; drop its advice about leniency.
      throw invalid(what, "is not valid JSON (" + position(e.getMessage()) + ")");
    }
    if (token == null) {
      throw invalid(what, "has no string field token" + (accessToken ? " (its access_token is not read: rename the "
          + "field, or print the token alone as text)" : ""));
    }
    Secret secret = token(token, what, "the JSON field token");
    if (expiresIn != null && expiresAt != null) {
      throw invalid(what, "has both expires_in and expires_at; give one");
    }
    if (expiresIn != null) {
      BigDecimal seconds = number(expiresIn, what, "expires_in", "a number of seconds");
      if (seconds.signum() <= 0 || seconds.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0) {
        throw invalid(what, "has expires_in " + seconds.toPlainString() + ", which is not a positive number of "
            + "seconds");
      }
      return AccessToken.of(secret, now.plusMillis(seconds.movePointRight(3).longValue()));
    }
    if (expiresAt != null) {
      Instant at = instant(expiresAt, what);
      if (!at.isAfter(now)) {
        throw invalid(what, "has expires_at " + at + ": the token has already expired; check the command and this "
            + "machine's clock");
      }
      return AccessToken.of(secret, at);
    }
    return withoutExpiry(secret, now, refreshAfter);
  }

  private static Instant instant(String value, String what) {
    if (!value.isEmpty() && Character.isDigit(value.charAt(0)) && value.chars().allMatch(Character::isDigit)) {
      BigDecimal seconds = number(value, what, "expires_at", "epoch seconds");
      if (seconds.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0) {
        throw invalid(what, "has expires_at " + value + ", which looks like milliseconds; give epoch seconds");
      }
      return Instant.ofEpochSecond(seconds.longValue());
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      try {
        BigDecimal seconds = new BigDecimal(value);
        if (seconds.signum() > 0 && seconds.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) <= 0) {
          return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
        }
      } catch (NumberFormatException notANumber) {
        // reported below
      }
      throw invalid(what, "has expires_at that is neither epoch seconds nor an RFC 3339 date-time with an offset "
          + "(such as 2026-12-01T10:00:00Z)");
    }
  }

  private static BigDecimal number(String value, String what, String field, String expected) {
    try {
      return new BigDecimal(value);
    } catch (NumberFormatException e) {
      throw invalid(what, "has " + field + " that is not " + expected);
    }
  }

  private static String string(JsonReader r, String what, String field) throws IOException {
    if (r.peek() != JsonToken.STRING) {
      throw invalid(what, "has " + field + " that is not a string");
    }
    return r.nextString();
  }

  /** A number or a string, returned as its text. */
  private static @Nullable String scalar(JsonReader r, String what, String field) throws IOException {
    JsonToken t = r.peek();
    if (t == JsonToken.NULL) {
      r.nextNull();
      return null;
    }
    if (t != JsonToken.NUMBER && t != JsonToken.STRING) {
      throw invalid(what, "has " + field + " that is neither a number nor a string");
    }
    return r.nextString().strip();
  }

  private static String position(@Nullable String message) {
    if (message == null) {
      return "the JSON ends too early";
    }
    int at = message.indexOf(" at line ");
    if (at < 0) {
      return message.contains("End of input") ? "the JSON ends too early" : "malformed";
    }
    int path = message.indexOf(" path ", at);
    return message.substring(at + " at ".length(), path > 0 ? path : message.length());
  }

  private static TokenException invalid(String what, String problem) {
    return new TokenException(what + " printed JSON that " + problem + "; print {\"token\": \"...\"} with "
        + "optionally \"expires_in\" (seconds) or \"expires_at\" (epoch seconds or RFC 3339)", null);
  }
}
