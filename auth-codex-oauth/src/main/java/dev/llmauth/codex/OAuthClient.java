package dev.llmauth.codex;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.llmauth.api.spi.IssuerCall;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.Loopback;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The issuer's endpoints, as the Codex CLI calls them: the token endpoint (authorization code as a form, refresh
 * as JSON) and the device-code endpoints. Returns what the issuer said; callers decide what it means.
 */
final class OAuthClient {
  /** The Codex CLI's public client id. */
  static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";

  private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** One bounded call per timeouts, shared by every client of this JVM with those timeouts: each holds a client. */
  private static final ConcurrentHashMap<IssuerTimeouts, IssuerCall> CALLS = new ConcurrentHashMap<>();

  private final String issuer;
  private final String originator;
  private final IssuerCall call;

  /**
   * Creates a client with the default timeouts, {@link CodexOAuthSettings#DEFAULT_TIMEOUTS}.
   *
   * @param issuer the issuer URL, such as {@code https://auth.openai.com}
   * @param originator the {@code originator} header value
   * @throws IllegalArgumentException when the issuer is not https (plain http is allowed on loopback only)
   */
  OAuthClient(String issuer, String originator) {
    this(issuer, originator, CodexOAuthSettings.DEFAULT_TIMEOUTS);
  }

  /**
   * Creates a client with its own timeouts ({@code codexOAuth.connectTimeout} and {@code timeout}).
   *
   * @param issuer the issuer URL
   * @param originator the {@code originator} header value
   * @param timeouts how long connecting, and one whole call with its answer, may take
   * @throws IllegalArgumentException when the issuer is not https (plain http is allowed on loopback only)
   */
  OAuthClient(String issuer, String originator, IssuerTimeouts timeouts) {
    this.issuer = checkIssuer(issuer);
    this.originator = originator;
    this.call = CALLS.computeIfAbsent(timeouts, IssuerCall::create);
  }

  /** @return how long a whole call may take */
  Duration callTimeout() {
    return call.timeouts().exchange();
  }

  /**
   * Says a timeout in messages.
   *
   * @param d the timeout
   * @return whole seconds as {@code "30 s"}, anything else as {@code "1500 ms"}
   */
  static String spoken(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  /** @return the issuer, without a trailing slash */
  String issuer() {
    return issuer;
  }

  /**
   * Checks and normalises an issuer URL.
   *
   * @param issuer the URL
   * @return the URL without a trailing slash
   * @throws IllegalArgumentException naming the problem
   */
  static String checkIssuer(String issuer) {
    String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("codexOAuth.issuer '" + issuer + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    boolean loopback = Loopback.isLoopbackHost(host);
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
  Response exchangeCode(String code, String redirectUri, String codeVerifier) throws IOException {
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
  Response refresh(String refreshToken) throws IOException {
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
  Response requestUserCode() throws IOException {
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
  Response pollDevice(String deviceAuthId, String userCode) throws IOException {
    JsonObject body = new JsonObject();
    body.addProperty("device_auth_id", deviceAuthId);
    body.addProperty("user_code", userCode);
    return post("/api/accounts/deviceauth/token", "application/json", body.toString());
  }

  private Response post(String path, String contentType, String body) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + path))
        .header("Content-Type", contentType)
        .header("Accept", "application/json")
        .header("originator", originator)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
    IssuerCall.Answer answer = call.send(request);
    return Response.of(answer.status(), answer.body(), answer.truncated(), answer.retryAfter());
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
   * @param bodyProblem why {@code body} is {@code null}, such as "a body that is not valid JSON", or {@code null}
   */
  record Response(int status, @Nullable JsonObject body, @Nullable Duration retryAfter,
      @Nullable String bodyProblem) {
    /**
     * Reads an answer. Never throws: a body that is not a JSON object leaves {@link #body()} {@code null} and says
     * why in {@link #bodyProblem()}, without quoting the body.
     *
     * @param status the HTTP status
     * @param bytes the body, at most {@link IssuerCall#DEFAULT_MAX_BODY_BYTES} bytes
     * @param truncated whether the body was longer and cut off
     * @param hint the {@code Retry-After} hint ({@link IssuerCall.Answer#retryAfter()}), or {@code null}
     * @return the answer
     */
    static Response of(int status, byte[] bytes, boolean truncated, @Nullable Duration hint) {
      if (truncated) {
        return new Response(status, null, hint, "a body larger than " + IssuerCall.DEFAULT_MAX_BODY_BYTES / 1024 / 1024
            + " MiB, the most that is read");
      }
      if (bytes.length == 0) {
        return new Response(status, null, hint, "an empty body");
      }
      JsonElement e;
      try {
        JsonReader reader = new JsonReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        reader.setStrictness(Strictness.STRICT);
        e = JsonParser.parseReader(reader);
        if (reader.peek() != JsonToken.END_DOCUMENT) {
          return new Response(status, null, hint, "a body that is not valid JSON (text after the JSON value)");
        }
      } catch (IOException | RuntimeException | StackOverflowError notJson) {
        return new Response(status, null, hint, "a body that is not valid JSON (" + bytes.length + " bytes)");
      }
      if (!e.isJsonObject()) {
        return new Response(status, null, hint, "a JSON body that is not an object");
      }
      return new Response(status, e.getAsJsonObject(), hint, null);
    }

    /** @return whether the status is 2xx */
    boolean ok() {
      return status / 100 == 2;
    }

    /**
     * The error code: {@code error} when a string, else {@code error.code}, else {@code code}. Only a plain code
     * (letters, digits, {@code _ . -}, at most 64) counts, so an answer cannot put arbitrary text into messages.
     *
     * @return the code, or {@code null}
     */
    @Nullable String errorCode() {
      if (body == null) {
        return null;
      }
      String code = Jwt.string(body, "error");
      if (code == null && body.get("error") instanceof JsonObject err) {
        code = Jwt.string(err, "code");
      }
      if (code == null) {
        code = Jwt.string(body, "code");
      }
      return code != null && ERROR_CODE.matcher(code).matches() ? code : null;
    }

    /**
     * A string member of the body.
     *
     * @param name the member
     * @return its value, or {@code null}
     */
    @Nullable String string(String name) {
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
