package dev.llmauth.codex.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/** Reads the claims of a JWT without checking its signature: the tokens come straight from the issuer. */
public final class Jwt {
  /** The claim object the issuer puts its account data in. */
  public static final String AUTH_CLAIM = "https://api.openai.com/auth";

  private Jwt() {}

  /**
   * Decodes a JWT's payload.
   *
   * @param jwt the token
   * @return the claims, or {@code null} when the value is not a JWT with a JSON object payload
   */
  public static @Nullable JsonObject claims(@Nullable String jwt) {
    if (jwt == null) {
      return null;
    }
    String[] parts = jwt.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      return null;
    }
    try {
      String json = new String(Base64.getUrlDecoder().decode(stripPadding(parts[1])), StandardCharsets.UTF_8);
      JsonElement e = JsonParser.parseString(json);
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Returns the {@code exp} claim.
   *
   * @param jwt the token
   * @return the expiry, or {@code null} when the token is not a JWT or has no numeric {@code exp} within the range
   *     of {@link Instant}
   */
  public static @Nullable Instant expiry(@Nullable String jwt) {
    return instant(claims(jwt), "exp");
  }

  /**
   * Returns the {@code iat} claim.
   *
   * @param jwt the token
   * @return the issue time, or {@code null}
   */
  public static @Nullable Instant issuedAt(@Nullable String jwt) {
    return instant(claims(jwt), "iat");
  }

  /**
   * Finds the ChatGPT account id: in the id token's {@value #AUTH_CLAIM} object ({@code chatgpt_account_id}), its
   * top-level {@code chatgpt_account_id}, its {@code organizations[0].id}; then the same places in the access
   * token; then the id stored next to the tokens.
   *
   * @param idToken the id token, or {@code null}
   * @param accessToken the access token, or {@code null}
   * @param stored the {@code account_id} stored in the file, or {@code null}
   * @return the account id, or {@code null} when none is found
   */
  public static @Nullable String accountId(@Nullable String idToken, @Nullable String accessToken,
      @Nullable String stored) {
    String id = accountIdIn(claims(idToken));
    if (id == null) {
      id = accountIdIn(claims(accessToken));
    }
    return id != null ? id : stored;
  }

  /**
   * Returns the e-mail address in an id token, at the top level or in the profile claim.
   *
   * @param idToken the id token
   * @return the address, or {@code null}
   */
  public static @Nullable String email(@Nullable String idToken) {
    JsonObject c = claims(idToken);
    if (c == null) {
      return null;
    }
    String email = string(c, "email");
    if (email == null && c.get("https://api.openai.com/profile") instanceof JsonObject profile) {
      email = string(profile, "email");
    }
    return email;
  }

  static @Nullable String accountIdIn(@Nullable JsonObject claims) {
    if (claims == null) {
      return null;
    }
    if (claims.get(AUTH_CLAIM) instanceof JsonObject auth) {
      String id = string(auth, "chatgpt_account_id");
      if (id != null) {
        return id;
      }
    }
    String id = string(claims, "chatgpt_account_id");
    if (id != null) {
      return id;
    }
    if (claims.get("organizations") instanceof com.google.gson.JsonArray orgs && !orgs.isEmpty()
        && orgs.get(0) instanceof JsonObject first) {
      return string(first, "id");
    }
    return null;
  }

  /**
   * Returns a non-empty string member.
   *
   * @param o the object
   * @param name the member
   * @return the value, or {@code null} when absent, not a string or empty
   */
  public static @Nullable String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      return null;
    }
    String s = e.getAsString();
    return s.isEmpty() ? null : s;
  }

  private static @Nullable Instant instant(@Nullable JsonObject claims, String name) {
    if (claims == null) {
      return null;
    }
    JsonElement e = claims.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      return null;
    }
    try {
      return Instant.ofEpochSecond(e.getAsBigDecimal().setScale(0, RoundingMode.FLOOR).longValueExact());
    } catch (ArithmeticException | NumberFormatException | DateTimeException outOfRange) {
      return null;
    }
  }

  private static String stripPadding(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    return s.substring(0, end);
  }
}
