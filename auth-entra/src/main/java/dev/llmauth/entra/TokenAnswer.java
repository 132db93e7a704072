package dev.llmauth.entra;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.json.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A 200 from a managed-identity endpoint, checked and put in the one form MSAL4J reads, on every Entra path (the
 * {@code managedIdentity} path and the DefaultAzureCredential chain, whose ManagedIdentityCredential hands the
 * answer to MSAL4J unchanged).
 *
 * <p>MSAL4J requires {@code expires_on} and reads it as epoch seconds or an ISO 8601 instant only; it ignores {@code
 * expires_in} and {@code refresh_in}. Identity endpoints send {@code expires_on} as epoch seconds (string or number)
 * or, on older App Service versions, as a date such as {@code 11/29/2026 10:00:00 AM +00:00}; some send only {@code
 * expires_in} (a number or a string). Whatever the endpoint sent, the body given to MSAL carries {@code expires_on}
 * as a string of epoch seconds; other fields are kept.
 *
 * @param body the body to give MSAL
 * @param expiresAt when the token expires, or {@code null} when the answer is unusable
 * @param refreshAt when {@code refresh_in} says to refresh, or {@code null}
 * @param problem what makes it unusable, such as {@code has no access_token}, or {@code null}
 */
record TokenAnswer(String body, @Nullable Instant expiresAt, @Nullable Instant refreshAt, @Nullable String problem) {
  /** The date forms older App Service versions send (as azure-identity's own MSIToken reads them). */
  private static final List<DateTimeFormatter> DATES = List.of(
      DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a XXX", Locale.US),
      DateTimeFormatter.ofPattern("M/d/yyyy H:mm:ss XXX", Locale.US));

  /**
   * Reads an answer.
   *
   * @param body the body as received
   * @param receivedAt when it arrived, the base of {@code expires_in} and {@code refresh_in}
   * @return the answer, with a body MSAL accepts when {@link #problem()} is {@code null}
   */
  static TokenAnswer read(String body, Instant receivedAt) {
    Map<String, Object> fields;
    try (JsonReader reader = JsonProviders.createReader(body)) {
      Object parsed = reader.readUntyped();
      if (!(parsed instanceof Map<?, ?> map)) {
        return unusable(body, "is not a JSON object");
      }
      fields = new LinkedHashMap<>();
      map.forEach((k, v) -> fields.put(String.valueOf(k), v));
    } catch (IOException | RuntimeException e) {
      return unusable(body, "is not valid JSON (truncated or malformed)");
    }
    Object token = fields.get("access_token");
    if (!(token instanceof String s) || s.isEmpty()) {
      return unusable(body, "has no access_token");
    }
    Long refreshIn = seconds(fields.get("refresh_in"));
    Instant refreshAt = refreshIn == null || refreshIn <= 0 ? null : receivedAt.plusSeconds(refreshIn);
    Object expiresOn = fields.get("expires_on");
    Instant expiresAt = instant(expiresOn);
    if (expiresAt == null) {
      Long expiresIn = seconds(fields.get("expires_in"));
      if (expiresIn == null) {
        return unusable(body, expiresOn == null || "".equals(expiresOn)
            ? "has neither expires_on nor expires_in"
            : "has an expires_on that is neither epoch seconds nor a date, and no expires_in");
      }
      expiresAt = receivedAt.plusSeconds(expiresIn);
    }
    String seconds = Long.toString(expiresAt.getEpochSecond());
    if (seconds.equals(expiresOn)) {
      return new TokenAnswer(body, expiresAt, refreshAt, null);
    }
    fields.put("expires_on", seconds);
    StringWriter out = new StringWriter();
    try (JsonWriter writer = JsonProviders.createWriter(out)) {
      writer.writeUntyped(fields).flush();
    } catch (IOException e) {
      return unusable(body, "could not be rewritten with expires_on");
    }
    return new TokenAnswer(out.toString(), expiresAt, refreshAt, null);
  }

  private static TokenAnswer unusable(String body, String problem) {
    return new TokenAnswer(body, null, null, problem);
  }

  /** Epoch seconds (a number or a string of digits), an ISO 8601 date-time or an App Service date. */
  private static @Nullable Instant instant(@Nullable Object value) {
    Long epoch = seconds(value);
    if (epoch != null) {
      return Instant.ofEpochSecond(epoch);
    }
    if (!(value instanceof String s) || s.isBlank()) {
      return null;
    }
    String text = s.trim();
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeException notIso) {
      // try the App Service forms
    }
    for (DateTimeFormatter f : DATES) {
      try {
        return OffsetDateTime.parse(text, f).toInstant();
      } catch (DateTimeException notThisForm) {
        // next form
      }
    }
    return null;
  }

  /** Whole seconds from a JSON number or a string holding one ({@code 3600}, {@code "3600"}, {@code "3600.0"}). */
  private static @Nullable Long seconds(@Nullable Object value) {
    String text = value instanceof Number n ? n.toString() : value instanceof String s ? s.trim() : "";
    // A number of seconds is short; a longer text (such as 1e999999999) is not one and is not expanded.
    if (text.isEmpty() || text.length() > 24) {
      return null;
    }
    try {
      return new BigDecimal(text).setScale(0, RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException | NumberFormatException notSeconds) {
      return null;
    }
  }
}
