package dev.llmauth.apikey;

import dev.llmauth.api.Secret;
import dev.llmauth.api.spi.ConfigNode;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code api-key} method's settings of one provider: its {@code apiKey} and its static {@code bearerToken},
 * each checked to be visible ASCII, as a header value made from it must be. {@link #toString()} shows which are set,
 * never their values.
 *
 * <pre>{@code
 * ApiKeySettings key = provider.methodConfig(new ApiKeyMethod(), ApiKeySettings.class);
 * }</pre>
 *
 * @param apiKey the API key, or {@code null}
 * @param bearerToken a static bearer token, or {@code null}
 */
public record ApiKeySettings(@Nullable Secret apiKey, @Nullable Secret bearerToken) {
  static final String API_KEY = "apiKey";
  static final String BEARER_TOKEN = "bearerToken";

  /** Requires at least one of the two. */
  public ApiKeySettings {
    if (apiKey == null && bearerToken == null) {
      throw new IllegalArgumentException("the api-key settings need an apiKey or a bearerToken");
    }
  }

  /**
   * Reads the provider's {@code apiKey} and {@code bearerToken}.
   *
   * @return the settings, or {@code null} when neither is set (empty strings count as unset)
   */
  static @Nullable ApiKeySettings parse(ConfigNode provider) {
    Secret apiKey = visibleAscii(provider.get(API_KEY), "copy the key again, without spaces, line breaks or "
        + "invisible characters around or inside it");
    Secret bearerToken = visibleAscii(provider.get(BEARER_TOKEN), "copy the token again, without spaces, line "
        + "breaks or invisible characters around or inside it");
    return apiKey == null && bearerToken == null ? null : new ApiKeySettings(apiKey, bearerToken);
  }

  /**
   * Requires a secret to be visible ASCII (U+0021 to U+007E); the error names the field and says which character and
   * where, never the value.
   */
  private static @Nullable Secret visibleAscii(ConfigNode field, String fix) {
    Secret secret = field.secret();
    if (secret != null) {
      String value = secret.reveal();
      for (int i = 0; i < value.length(); i++) {
        char ch = value.charAt(i);
        if (ch <= 0x20 || ch >= 0x7f) {
          throw field.error("the value has a character that cannot be sent in an HTTP header (" + String.format(
              Locale.ROOT, "U+%04X at position %d of %d", (int) ch, i + 1, value.length()) + "); it must be visible "
              + "ASCII, without spaces", fix);
        }
      }
    }
    return secret;
  }

  /** Shows which of the two are set, never a value. */
  @Override
  public String toString() {
    return "ApiKeySettings[apiKey=" + (apiKey != null ? "[redacted]" : "(not set)") + ", bearerToken="
        + (bearerToken != null ? "[redacted]" : "(not set)") + "]";
  }
}
