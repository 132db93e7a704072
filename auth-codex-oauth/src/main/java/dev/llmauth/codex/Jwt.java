package dev.llmauth.codex;

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
final class Jwt {
  /** The claim object the issuer puts its account data in. */
  static final String AUTH_CLAIM = "https://api.openai.com/auth";

  private Jwt() {}

  /**
   * Decodes a JWT's payload.
   *
   * @param jwt the token
   * @return the claims, or {@code null} when the value is not a JWT with a JSON object payload
   */
  static @Nullable JsonObject claims(@Nullable String jwt) {
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
  static @Nullable Instant expiry(@Nullable String jwt) {
    return instant(claims(jwt), "exp");
  }

  /**
   * Returns the {@code iat} claim.
   *
   * @param jwt the token
   * @return the issue time, or {@code null}
   */
  static @Nullable Instant issuedAt(@Nullable String jwt) {
    return instant(claims(jwt), "iat");
  }

  /**
   * Finds the ChatGPT account id sent as {@code ChatGPT-Account-Id}, as the Codex CLI does: the id stored next to
   * the tokens (the workspace chosen at sign-in) wins; only without one is it the id token's {@value #AUTH_CLAIM}
   * {@code chatgpt_account_id}. Nothing else (an organization id, the access token) is an account id.
   *
   * @param idToken the id token, or {@code null}
   * @param stored the {@code account_id} stored in the file, or {@code null}
   * @return the account id, or {@code null} when none is found
   */
  static @Nullable String accountId(@Nullable String idToken, @Nullable String stored) {
    if (stored != null) {
      return stored;
    }
    JsonObject auth = authClaim(idToken);
    return auth == null ? null : string(auth, "chatgpt_account_id");
  }

  /**
   * Tells whether the id token's {@value #AUTH_CLAIM} object says {@code chatgpt_account_is_fedramp: true}.
   *
   * @param idToken the id token, or {@code null}
   * @return whether the account is a FedRAMP workspace
   */
  static boolean fedramp(@Nullable String idToken) {
    JsonObject auth = authClaim(idToken);
    JsonElement e = auth == null ? null : auth.get("chatgpt_account_is_fedramp");
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
  }

  private static @Nullable JsonObject authClaim(@Nullable String jwt) {
    JsonObject claims = claims(jwt);
    return claims != null && claims.get(AUTH_CLAIM) instanceof JsonObject auth ? auth : null;
  }

  /**
   * Returns the e-mail address in an id token, at the top level or in the profile claim.
   *
   * @param idToken the id token
   * @return the address, or {@code null}
   */
  static @Nullable String email(@Nullable String idToken) {
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

  /**
   * Returns a non-empty string member.
   *
   * @param o the object
   * @param name the member
   * @return the value, or {@code null} when absent, not a string or empty
   */
  static @Nullable String string(JsonObject o, String name) {
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
