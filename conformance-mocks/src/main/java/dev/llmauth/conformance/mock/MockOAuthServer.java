package dev.llmauth.conformance.mock;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A mock of the ChatGPT OAuth issuer the Codex CLI signs in with, on loopback.
 *
 * <ul>
 *   <li>{@code GET /oauth/authorize} approves at once: it redirects to {@code redirect_uri} with a code and the
 *       caller's {@code state} (or with {@link #authorizeError(String) an error}), so a test drives the browser
 *       sign-in with a plain HTTP client.
 *   <li>{@code POST /oauth/token}, form or JSON: {@code authorization_code} (client id, redirect URI and the PKCE
 *       S256 verifier are checked; a code works once) and {@code refresh_token} with rotation: each refresh
 *       token works once, and a replayed one gets 401 {@code refresh_token_reused}. Members a client adds to the
 *       request (the Codex CLI sends {@code refresh_reason}) are ignored. Errors have the real issuer's shape:
 *       {@code {"error": {"message", "type": "invalid_request_error", "param": null, "code"}}}.
 *   <li>{@code POST /api/accounts/deviceauth/usercode} and {@code /api/accounts/deviceauth/token}: 403 while
 *       pending ({@link #devicePendingPolls(int)} polls), then the code and verifier to exchange with redirect
 *       {@code <issuer>/deviceauth/callback}.
 *   <li>Tokens are unsigned but well-formed JWTs with {@code exp} and {@code iat}; the id token carries the account
 *       in {@code https://api.openai.com/auth.chatgpt_account_id}. Lifetimes, the clock, a queue of {@link Fault}s (error
 *       statuses with {@code Retry-After}, raw answers, connection resets, stalls, bodies cut short and huge
 *       bodies) and a delay are configurable; every request is recorded.
 * </ul>
 *
 * <p>Run standalone with {@link #main(String[])}: it prints one {@code Listening: {json}} line.
 */
public final class MockOAuthServer extends MockServer {
  /** The client id the Codex CLI uses, the only one accepted. */
  public static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
  /** The default account id in issued tokens. */
  public static final String DEFAULT_ACCOUNT_ID = "acct-mock-0001";

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Writes {@code "param": null} as the real issuer does. */
  private static final Gson ERROR_GSON = new GsonBuilder().serializeNulls().create();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();
  private final Map<String, Device> devices = new ConcurrentHashMap<>();
  private final ArrayDeque<Fault> faults = new ArrayDeque<>();
  private final AtomicInteger serial = new AtomicInteger();
  private volatile Settings settings = new Settings();
  private volatile @Nullable CountDownLatch tokenGate;

  /** Creates a server for a free loopback port; {@link #start()} it. */
  public MockOAuthServer() {
    this(0);
  }

  /**
   * Creates a server for a given port; {@link #start()} it.
   *
   * @param port the port, or 0 for a free one
   */
  public MockOAuthServer(int port) {
    super(port);
  }

  @Override
  public MockOAuthServer start() {
    super.start();
    return this;
  }

  /**
   * Runs the server standalone: prints {@link #listeningLine()} and serves until stopped.
   *
   * @param args optionally {@code --port P}
   * @throws InterruptedException when interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    serve(args, "MockOAuthServer", port -> new MockOAuthServer(port).start());
  }

  /** @return the issuer URL to configure as {@code codexOAuth.issuer} */
  public URI issuer() {
    return url();
  }

  /**
   * Sets the access token lifetime (1 hour by default).
   *
   * @param lifetime the lifetime
   * @return this server
   */
  public MockOAuthServer tokenLifetime(Duration lifetime) {
    settings.tokenLifetime = java.util.Objects.requireNonNull(lifetime, "lifetime");
    return this;
  }

  /**
   * Sets the clock that stamps {@code iat} and {@code exp}.
   *
   * @param clock the clock
   * @return this server
   */
  public MockOAuthServer clock(InstantSource clock) {
    settings.clock = clock;
    return this;
  }

  /**
   * Sets the account id put into issued tokens.
   *
   * @param accountId the account id
   * @return this server
   */
  public MockOAuthServer accountId(String accountId) {
    settings.accountId = accountId;
    return this;
  }

  /**
   * Leaves fields out of refresh answers, to test that clients keep what was not returned. Leaving out {@code
   * refresh_token} also turns rotation off: the old refresh token stays valid.
   *
   * @param fields for example {@code id_token}, {@code refresh_token}
   * @return this server
   */
  public MockOAuthServer omitOnRefresh(String... fields) {
    settings.omitOnRefresh = Set.of(fields);
    return this;
  }

  /**
   * Makes {@code /oauth/authorize} redirect with {@code error=<code>} instead of a code.
   *
   * @param error the OAuth error, or {@code null} to approve again
   * @return this server
   */
  public MockOAuthServer authorizeError(@Nullable String error) {
    settings.authorizeError = error;
    return this;
  }

  /**
   * Sets how many device polls answer 403 (pending) before the sign-in is approved (1 by default).
   *
   * @param polls the number of pending answers, {@link Integer#MAX_VALUE} for never
   * @return this server
   */
  public MockOAuthServer devicePendingPolls(int polls) {
    settings.devicePendingPolls = polls;
    return this;
  }

  /**
   * Sets the polling interval the device endpoint announces (5 seconds by default; sent as a string, as the real
   * issuer does).
   *
   * @param seconds the interval
   * @return this server
   */
  public MockOAuthServer deviceInterval(int seconds) {
    settings.deviceInterval = seconds;
    return this;
  }

  /**
   * Delays every {@code /oauth/token} answer, to widen race windows in concurrency tests.
   *
   * @param delay the delay
   * @return this server
   */
  public MockOAuthServer tokenDelay(Duration delay) {
    settings.tokenDelay = delay;
    return this;
  }

  /**
   * Holds every {@code /oauth/token} answer (the request is recorded first) until {@link #releaseTokens()}, {@link
   * #reset()} or a minute has passed, so tests can make callers wait for a token.
   *
   * @return this server
   */
  public MockOAuthServer holdTokens() {
    tokenGate = new CountDownLatch(1);
    return this;
  }

  /** Lets held {@code /oauth/token} answers go. */
  public void releaseTokens() {
    CountDownLatch gate = tokenGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /**
   * Queues a fault for the next {@code /oauth/token} call that has no earlier fault waiting. The issuer serves
   * {@link Fault#status}, {@link Fault#error}, {@link Fault#answer}, {@link Fault#delay}, {@link Fault#stall},
   * {@link Fault#connectionReset}, {@link Fault#shortBody} and {@link Fault#hugeBody(long)}.
   *
   * @param fault the fault
   * @return this server
   * @throws IllegalArgumentException for a fault the issuer does not serve
   */
  public MockOAuthServer enqueue(Fault fault) {
    if (fault.breaksAnswer()) {
      throw new IllegalArgumentException("MockOAuthServer does not serve " + fault
          + ": the issuer serves status, error, answer, delay, stall, connectionReset, shortBody and hugeBody");
    }
    synchronized (faults) {
      faults.add(fault);
    }
    return this;
  }

  /** Drops the {@code /oauth/token} faults not yet used; requests, tokens and settings are kept. */
  public void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /**
   * Issues a refresh token outside any sign-in, for tests that write an {@code auth.json} themselves.
   *
   * @return a refresh token the server accepts once
   */
  public String issueRefreshToken() {
    String token = "rt-" + serial.incrementAndGet() + "-" + random(24);
    refreshTokens.put(token, Boolean.FALSE);
    return token;
  }

  /**
   * Issues an access token JWT outside any sign-in.
   *
   * @param lifetime from now on the server's clock; negative for an already expired token
   * @return the token
   */
  public String issueAccessToken(Duration lifetime) {
    Instant now = settings.clock.instant();
    return accessToken(now, now.plus(lifetime));
  }

  /** @return an id token JWT for the configured account */
  public String issueIdToken() {
    return idToken(settings.clock.instant());
  }

  /**
   * Tells whether a refresh token would be accepted now, without using it: it was issued by this server and has
   * not been used yet (or rotation is off).
   *
   * @param token the refresh token, for example the one a client stored
   * @return whether a refresh with it would succeed, faults aside
   */
  public boolean acceptsRefreshToken(String token) {
    Boolean used = refreshTokens.get(token);
    return Boolean.FALSE.equals(used);
  }

  /** @return how many refresh-token grants the server received (successful or not) */
  public int refreshCount() {
    return recorded(r -> r.path().equals("/oauth/token") && "refresh_token".equals(grantType(r))).size();
  }

  /**
   * Builds an unsigned but well-formed JWT ({@code alg: none}, a non-empty signature part).
   *
   * @param claims the payload
   * @return the token
   */
  public static String jwt(Map<String, ?> claims) {
    String header = B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(GSON.toJson(claims).getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + "." + B64.encodeToString("mock-signature".getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void reset() {
    super.reset();
    codes.clear();
    refreshTokens.clear();
    devices.clear();
    synchronized (faults) {
      faults.clear();
    }
    settings = new Settings();
    releaseTokens();
    tokenGate = null;
  }

  @Override
  protected Map<String, Object> describe() {
    Map<String, Object> m = super.describe();
    m.put("issuer", url().toString());
    m.put("authorize", url("/oauth/authorize").toString());
    m.put("token", url("/oauth/token").toString());
    m.put("deviceUserCode", url("/api/accounts/deviceauth/usercode").toString());
    m.put("deviceToken", url("/api/accounts/deviceauth/token").toString());
    return m;
  }

  @Override
  protected void routes(HttpServer server) {
    server.createContext("/oauth/authorize", this::authorize);
    server.createContext("/oauth/token", this::token);
    server.createContext("/api/accounts/deviceauth/usercode", this::userCode);
    server.createContext("/api/accounts/deviceauth/token", this::deviceToken);
    server.createContext("/codex/device", ex -> {
      record(ex);
      respond(ex, 200, "text/html; charset=utf-8", "<!doctype html><title>Device sign-in</title>");
    });
  }

  private void authorize(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    Map<String, String> q = formParameters(r.uri().getRawQuery());
    String redirect = q.get("redirect_uri");
    if (!CLIENT_ID.equals(q.get("client_id")) || redirect == null || !"code".equals(q.get("response_type"))
        || !"S256".equals(q.get("code_challenge_method")) || q.get("code_challenge") == null) {
      respond(ex, 400, "text/plain", "bad authorize request: client_id, redirect_uri, response_type=code and "
          + "an S256 code_challenge are required");
      return;
    }
    String state = q.getOrDefault("state", "");
    String location;
    String error = settings.authorizeError;
    if (error != null) {
      location = redirect + "?error=" + enc(error) + "&error_description=" + enc("mock refusal") + "&state="
          + enc(state);
    } else {
      String code = "code-" + random(16);
      codes.put(code, new Grant(q.get("code_challenge"), redirect));
      location = redirect + "?code=" + enc(code) + "&state=" + enc(state);
    }
    ex.getResponseHeaders().set("Location", location);
    respond(ex, 302, null, "");
  }

  private void token(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    CountDownLatch gate = tokenGate;
    Duration delay = settings.tokenDelay;
    try {
      if (gate != null) {
        gate.await(1, TimeUnit.MINUTES);
      }
      if (!delay.isZero()) {
        Thread.sleep(delay.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Fault fault;
    synchronized (faults) {
      fault = faults.poll();
    }
    if (fault != null && fault.delay() != null) {
      try {
        Thread.sleep(fault.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (fault != null) {
      fail(ex, fault);
      return;
    }
    Map<String, String> p = parameters(r);
    if (!CLIENT_ID.equals(p.get("client_id"))) {
      error(ex, 401, "invalid_client");
      return;
    }
    String grant = p.getOrDefault("grant_type", "");
    if (grant.equals("authorization_code")) {
      Grant g = codes.remove(p.getOrDefault("code", ""));
      String verifier = p.get("code_verifier");
      if (g == null || verifier == null || !g.redirectUri.equals(p.get("redirect_uri"))
          || !g.challenge.equals(challenge(verifier))) {
        error(ex, 400, "invalid_grant");
        return;
      }
      respondJson(ex, tokens(Set.of()));
    } else if (grant.equals("refresh_token")) {
      String token = p.getOrDefault("refresh_token", "");
      Boolean used = refreshTokens.get(token);
      if (used == null) {
        error(ex, 400, "invalid_grant");
        return;
      }
      Set<String> omit = settings.omitOnRefresh;
      if (!omit.contains("refresh_token") && !refreshTokens.replace(token, Boolean.FALSE, Boolean.TRUE)) {
        error(ex, 401, "refresh_token_reused");
        return;
      }
      respondJson(ex, tokens(omit));
    } else {
      error(ex, 400, "unsupported_grant_type");
    }
  }

  private void userCode(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    if (!CLIENT_ID.equals(parameters(r).get("client_id"))) {
      error(ex, 401, "invalid_client");
      return;
    }
    String id = "dev-" + random(12);
    String userCode = "MOCK-" + (1000 + serial.incrementAndGet() % 9000);
    devices.put(id, new Device(userCode, new AtomicInteger()));
    JsonObject body = new JsonObject();
    body.addProperty("device_auth_id", id);
    body.addProperty("user_code", userCode);
    body.addProperty("interval", Integer.toString(settings.deviceInterval));
    respondJson(ex, body);
  }

  private void deviceToken(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    Map<String, String> p = parameters(r);
    Device d = devices.get(p.getOrDefault("device_auth_id", ""));
    if (d == null || !d.userCode.equals(p.get("user_code"))) {
      error(ex, 404, "device_auth_not_found");
      return;
    }
    if (d.polls.incrementAndGet() <= settings.devicePendingPolls) {
      error(ex, 403, "authorization_pending");
      return;
    }
    devices.remove(p.get("device_auth_id"));
    String verifier = random(48);
    String code = "code-" + random(16);
    codes.put(code, new Grant(challenge(verifier), url() + "/deviceauth/callback"));
    JsonObject body = new JsonObject();
    body.addProperty("authorization_code", code);
    body.addProperty("code_challenge", challenge(verifier));
    body.addProperty("code_verifier", verifier);
    respondJson(ex, body);
  }

  private JsonObject tokens(Set<String> omit) {
    Instant now = settings.clock.instant();
    JsonObject body = new JsonObject();
    if (!omit.contains("id_token")) {
      body.addProperty("id_token", idToken(now));
    }
    body.addProperty("access_token", accessToken(now, now.plus(settings.tokenLifetime)));
    if (!omit.contains("refresh_token")) {
      body.addProperty("refresh_token", issueRefreshToken());
    }
    body.addProperty("token_type", "Bearer");
    body.addProperty("expires_in", settings.tokenLifetime.toSeconds());
    return body;
  }

  private String idToken(Instant now) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", url().toString());
    claims.put("aud", CLIENT_ID);
    claims.put("email", "user@example.test");
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", now.plus(Duration.ofHours(1)).getEpochSecond());
    claims.put("https://api.openai.com/auth", Map.of("chatgpt_account_id", settings.accountId,
        "chatgpt_plan_type", "plus", "chatgpt_user_id", "user-mock"));
    return jwt(claims);
  }

  private String accessToken(Instant now, Instant exp) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", url().toString());
    claims.put("jti", "at-" + serial.incrementAndGet() + "-" + random(8));
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", exp.getEpochSecond());
    claims.put("https://api.openai.com/auth", Map.of("chatgpt_account_id", settings.accountId));
    return jwt(claims);
  }

  private static @Nullable String grantType(RecordedRequest r) {
    return parameters(r).get("grant_type");
  }

  private static Map<String, String> parameters(RecordedRequest r) {
    String type = r.header("content-type");
    if (type != null && type.startsWith("application/json")) {
      Map<String, String> out = new LinkedHashMap<>();
      try {
        JsonElement e = JsonParser.parseString(r.bodyText());
        if (e.isJsonObject()) {
          e.getAsJsonObject().entrySet().forEach(m -> {
            if (m.getValue().isJsonPrimitive()) {
              out.put(m.getKey(), m.getValue().getAsString());
            }
          });
        }
      } catch (RuntimeException ignored) {
        // an unparsable body has no parameters
      }
      return out;
    }
    return formParameters(r.bodyText());
  }

  private static void error(HttpExchange ex, int status, @Nullable String code) throws IOException {
    if (code == null) {
      respond(ex, status, null, "");
      return;
    }
    JsonObject err = new JsonObject();
    err.addProperty("message", code.equals("refresh_token_reused")
        ? "Your refresh token has already been used to generate a new access token. Please try signing in again."
        : "mock issuer: " + code);
    err.addProperty("type", "invalid_request_error");
    err.add("param", JsonNull.INSTANCE);
    err.addProperty("code", code);
    JsonObject body = new JsonObject();
    body.add("error", err);
    respond(ex, status, "application/json", ERROR_GSON.toJson(body));
  }

  private static void fail(HttpExchange ex, Fault fault) throws IOException {
    Fault.BrokenBody broken = fault.body();
    String answer = fault.answer();
    Duration stall = fault.stall();
    if (broken == Fault.BrokenBody.RESET) {
      ex.close();
    } else if (stall != null) {
      stall(ex, stall);
    } else if (broken == Fault.BrokenBody.SHORT) {
      shortBody(ex, "{\"access_token\":\"eyJhbGciOiJub25lIn0.eyJleHAiOjF9");
    } else if (broken == Fault.BrokenBody.HUGE) {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, 0);
      byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
      try (OutputStream out = ex.getResponseBody()) {
        byte[] head = "{\"access_token\":\"".getBytes(StandardCharsets.US_ASCII);
        out.write(head);
        for (long left = fault.size() - head.length - 2; left > 0; left -= chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        out.write("\"}".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException clientHungUp) {
        // the client stopped reading: what a capped client does
      }
      ex.close();
    } else if (answer != null) {
      respond(ex, fault.status(), "application/json", answer);
    } else {
      String retryAfter = fault.retryAfter();
      if (retryAfter != null) {
        ex.getResponseHeaders().set("Retry-After", retryAfter);
      }
      error(ex, fault.status(), fault.errorGiven() ? fault.error() : "mock_fault");
    }
  }

  private static void respondJson(HttpExchange ex, JsonObject body) throws IOException {
    respond(ex, 200, "application/json", GSON.toJson(body));
  }

  private static String challenge(String verifier) {
    try {
      return B64.encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static final class Settings {
    volatile Duration tokenLifetime = Duration.ofHours(1);
    volatile InstantSource clock = InstantSource.system();
    volatile String accountId = DEFAULT_ACCOUNT_ID;
    volatile Set<String> omitOnRefresh = Set.of();
    volatile @Nullable String authorizeError;
    volatile int devicePendingPolls = 1;
    volatile int deviceInterval = 5;
    volatile Duration tokenDelay = Duration.ZERO;
  }

  private record Grant(String challenge, String redirectUri) {}

  private record Device(String userCode, AtomicInteger polls) {}

}
