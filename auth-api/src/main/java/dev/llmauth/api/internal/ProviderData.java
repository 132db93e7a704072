package dev.llmauth.api.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.jspecify.annotations.Nullable;

/** Merges a token into a provider-data header's JSON object. */
public final class ProviderData {
  /** The key the token goes under. */
  public static final String API_KEY = "azure_api_key";
  /** The key the base URL goes under. */
  public static final String API_BASE = "azure_api_base";

  private ProviderData() {}

  /**
   * Puts {@code token} and {@code baseUrl} into the JSON object in {@code existing}, keeping its other keys. A
   * value that is absent or not a strict JSON object (RFC 8259, no duplicate keys) is replaced by a new object.
   *
   * @param existing the value to merge into: the request's own value of the header, else the provider's static
   *     value of it, else {@code null}
   * @param token the token
   * @param baseUrl the URL for {@code azure_api_base}
   * @return the new header value, compact JSON
   */
  public static String merge(@Nullable String existing, String token, String baseUrl) {
    JsonObject object = new JsonObject();
    if (existing != null) {
      try {
        JsonElement parsed = StrictJson.parse(existing, false);
        if (parsed.isJsonObject()) {
          object = parsed.getAsJsonObject();
        }
      } catch (StrictJson.Malformed notJson) {
        // Not a strict JSON object: replaced, as documented.
      }
    }
    object.addProperty(API_KEY, token);
    object.addProperty(API_BASE, baseUrl);
    return object.toString();
  }
}
