package dev.llmauth.codex.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The issuer's endpoints, as the Codex CLI calls them: the token endpoint (authorization code as a form, refresh
 * as JSON) and the device-code endpoints. Returns what the issuer said; callers decide what it means.
 */
public final class OAuthClient {
  /** The Codex CLI's public client id. */
  public static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final class Shared {
    static final HttpClient HTTP = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  private final String issuer;
  private final String originator;

  /**
   * Creates a client.
   *
   * @param issuer the issuer URL, such as {@code https://auth.openai.com}
   * @param originator the {@code originator} header value
   * @throws IllegalArgumentException when the issuer is not https (plain http is allowed on loopback only)
   */
  public OAuthClient(String issuer, String originator) {
    this.issuer = checkIssuer(issuer);
    this.originator = originator;
  }

  /** @return the issuer, without a trailing slash */
  public String issuer() {
    return issuer;
  }

  /**
   * Checks and normalises an issuer URL.
   *
   * @param issuer the URL
   * @return the URL without a trailing slash
   * @throws IllegalArgumentException naming the problem
   */
  public static String checkIssuer(String issuer) {
    String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("codexOAuth.issuer '" + issuer + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
        || host.equals("::1");
    if (!(scheme.equals("https") || (scheme.equals("http") && loopback)) || host.isEmpty()) {
      throw new IllegalArgumentException("codexOAuth.issuer '" + issuer
          + "' must be an https URL (plain http is accepted for 127.0.0.1 and localhost only)");
    }
    return trimmed;
  }

  /**
   * Exchanges an authorization code: {@code POST /oauth/token}, form-encoded, with the PKCE verifier.
   *
   * @param code the code
   * @param redirectUri the redirect URI the code was issued for
   * @param codeVerifier the PKCE verifier
   * @return the issuer's answer
   * @throws IOException when the issuer cannot be reached
   */
  public Response exchangeCode(String code, String redirectUri, String codeVerifier) throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("client_id", CLIENT_ID);
    form.put("code_verifier", codeVerifier);
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return post("/oauth/token", "application/x-www-form-urlencoded", body);
  }

  /**
   * Refreshes: {@code POST /oauth/token} with a JSON body, as the Codex CLI sends it.
   *
   * @param refreshToken the refresh token, used once
   * @return the issuer's answer
   * @throws IOException when the issuer cannot be reached
   */
  public Response refresh(String refreshToken) throws IOException {
    JsonObject body = new JsonObject();
    body.addProperty("client_id", CLIENT_ID);
    body.addProperty("grant_type", "refresh_token");
    body.addProperty("refresh_token", refreshToken);
    return post("/oauth/token", "application/json", body.toString());
  }

  /**
   * Starts a device sign-in: {@code POST /api/accounts/deviceauth/usercode}.
   *
   * @return the issuer's answer
   * @throws IOException when the issuer cannot be reached
   */
  public Response requestUserCode() throws IOException {
    JsonObject body = new JsonObject();
    body.addProperty("client_id", CLIENT_ID);
    return post("/api/accounts/deviceauth/usercode", "application/json", body.toString());
  }

  /**
   * Polls a device sign-in: {@code POST /api/accounts/deviceauth/token}; 403 and 404 mean pending.
   *
   * @param deviceAuthId the id from the user-code answer
   * @param userCode the code the user enters
   * @return the issuer's answer
   * @throws IOException when the issuer cannot be reached
   */
  public Response pollDevice(String deviceAuthId, String userCode) throws IOException {
    JsonObject body = new JsonObject();
    body.addProperty("device_auth_id", deviceAuthId);
    body.addProperty("user_code", userCode);
    return post("/api/accounts/deviceauth/token", "application/json", body.toString());
  }

  private Response post(String path, String contentType, String body) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", contentType)
        .header("Accept", "application/json")
        .header("originator", originator)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response;
    try {
      response = Shared.HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + issuer + path, e);
    }
    JsonObject json = null;
    try {
      JsonElement e = JsonParser.parseString(response.body());
      json = e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (RuntimeException notJson) {
      // left null: callers report the status
    }
    Duration retryAfter = response.headers().firstValue("Retry-After").flatMap(OAuthClient::seconds).orElse(null);
    return new Response(response.statusCode(), json, retryAfter);
  }

  private static java.util.Optional<Duration> seconds(String value) {
    try {
      return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * What the issuer answered.
   *
   * @param status the HTTP status
   * @param body the JSON object body, or {@code null} when the body was not one
   * @param retryAfter the {@code Retry-After} hint, or {@code null}
   */
  public record Response(int status, @Nullable JsonObject body, @Nullable Duration retryAfter) {
    /** @return whether the status is 2xx */
    public boolean ok() {
      return status / 100 == 2;
    }

    /**
     * The error code: {@code error} when a string, else {@code error.code}, else {@code code}.
     *
     * @return the code, or {@code null}
     */
    public @Nullable String errorCode() {
      if (body == null) {
        return null;
      }
      String code = Jwt.string(body, "error");
      if (code == null && body.get("error") instanceof JsonObject err) {
        code = Jwt.string(err, "code");
      }
      return code != null ? code : Jwt.string(body, "code");
    }

    /**
     * A string member of the body.
     *
     * @param name the member
     * @return its value, or {@code null}
     */
    public @Nullable String string(String name) {
      return body == null ? null : Jwt.string(body, name);
    }

    /** Shows the status and error code, never the body: it may carry tokens. */
    @Override
    public String toString() {
      String code = errorCode();
      return "HTTP " + status + (code != null ? " " + code : "");
    }
  }
}
