package dev.llmauth.conformance.mock;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.llmauth.conformance.mock.Fault.BrokenBody;
import org.jspecify.annotations.Nullable;

/**
 * A mock Azure managed-identity endpoint on loopback that speaks both contracts an Azure host offers:
 *
 * <ul>
 *   <li><b>App Service / Functions</b>: {@code GET /msi/token?api-version=2019-08-01&resource=R} with header {@code
 *       X-IDENTITY-HEADER}; point {@code IDENTITY_ENDPOINT} at {@link #appServiceEndpoint()} and {@code
 *       IDENTITY_HEADER} at {@link #identityHeader()} (see {@link #appServiceEnvironment()}). A wrong or missing
 *       header gets 401.
 *   <li><b>IMDS</b>: {@code GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R} with header
 *       {@code Metadata: true}; point {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} at {@link #url()} (see {@link
 *       #imdsEnvironment()}). A missing header gets 400.
 * </ul>
 *
 * <p>Both answer {@code access_token}, {@code expires_on} (epoch seconds, as a string, like Azure), {@code
 * expires_in}, {@code token_type}, {@code resource} and the user-assigned selector that was asked for ({@code
 * client_id}, {@code object_id} or {@code mi_res_id}); {@link #answerStyle(AnswerStyle)} selects the other forms
 * identity endpoints use (a numeric {@code expires_on}, an App Service date, or only a numeric {@code expires_in}).
 * Every token is new and unique ({@link #rotateTokens(boolean)} turns that off), and lives {@link
 * #tokenLifetime(Duration)} (one hour by default).
 *
 * <p>Faults are queued with {@link #enqueue(Fault)} and served one per token request, in order, before normal
 * answers resume. Other processes drive the same server through its control paths: {@code
 * /__control/recorded}, {@code /__control/reset}, {@code /__control/stop} and {@code POST /__control/configure}
 * with a JSON object such as:
 *
 * <pre>{@code
 * {"tokenLifetimeSeconds": 120, "rotateTokens": false, "clockOffsetSeconds": 3000,
 *  "refreshInSeconds": 600, "answerStyle": "expires_in_only", "echoIdentityHeader": true,
 *  "faults": [{"status": 503, "retryAfterSeconds": 1}, {"status": 429, "retryAfter": "soon"},
 *             {"delayMillis": 500}, {"body": "truncated"},
 *             {"body": "huge"}, {"body": "reset"}, {"missingField": "expires_on"}, {"trickleMillis": 200}]}
 * }</pre>
 *
 * <p>Run it standalone with the CLI's {@code llm-auth mock identity} or this class's {@link #main(String[])}: it
 * prints one line {@code Listening: {json}} with its URLs, header secret and environment, and serves until stopped.
 */
public final class MockIdentityServer extends MockServer {
  /** The App Service token path. */
  public static final String APP_SERVICE_PATH = "/msi/token";
  /** The IMDS token path. */
  public static final String IMDS_PATH = "/metadata/identity/oauth2/token";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
  private static final java.time.format.DateTimeFormatter APP_SERVICE_DATE =
      java.time.format.DateTimeFormatter.ofPattern("MM/dd/yyyy hh:mm:ss a xxx", java.util.Locale.US);

  private @Nullable String headerSecret;
  private @Nullable State state;
  private volatile @Nullable CountDownLatch tokenGate;

  /** Mutable behaviour, created lazily because {@link #routes} runs before field initialisers. */
  private static final class State {
    final String instance = HexFormat.of().formatHex(randomBytes(4));
    final AtomicInteger counter = new AtomicInteger();
    final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<String> issued = new CopyOnWriteArrayList<>();
    final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    volatile Duration lifetime = DEFAULT_LIFETIME;
    volatile boolean rotate = true;
    volatile InstantSource clock = InstantSource.system();
    volatile Duration clockOffset = Duration.ZERO;
    volatile @Nullable String lastToken;
    volatile @Nullable Duration refreshIn;
    volatile AnswerStyle style = AnswerStyle.AZURE;
    volatile boolean echoIdentityHeader;
    final AtomicInteger tricklesAbandoned = new AtomicInteger();
  }

  /** How a token answer gives the token's expiry. */
  public enum AnswerStyle {
    /** {@code expires_on} as a string of epoch seconds and {@code expires_in} as a string, as Azure sends them. */
    AZURE,
    /** {@code expires_on} as a JSON number of epoch seconds, with {@code expires_in} as a string. */
    EXPIRES_ON_NUMBER,
    /**
     * {@code expires_on} as a date, {@code 11/29/2026 10:00:00 AM +00:00}, as older App Service versions
     * (api-version 2017-09-01) send it, with {@code expires_in} as a string.
     */
    EXPIRES_ON_DATE,
    /**
     * Only {@code expires_in}, as a JSON number, and no {@code expires_on}: github/copilot-sdk's test harness sends
     * exactly {@code {"access_token", "expires_in": 3600, "token_type", "resource"}}.
     */
    EXPIRES_IN_ONLY
  }

  /** Creates a server for a free loopback port; {@link #start()} it. */
  public MockIdentityServer() {
    this(0);
  }

  /**
   * Creates a server for a given port; {@link #start()} it.
   *
   * @param port the port, or 0 for a free one
   */
  public MockIdentityServer(int port) {
    super(port);
  }

  /**
   * Creates a server for a given port that expects a given {@code IDENTITY_HEADER} secret, for a process whose
   * environment was set before it started (MSAL4J reads {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}
   * from the process environment only); {@link #start()} it.
   *
   * @param port the port, or 0 for a free one
   * @param headerSecret the value {@code X-IDENTITY-HEADER} must carry
   */
  public MockIdentityServer(int port, String headerSecret) {
    super(port);
    if (headerSecret.isBlank()) {
      throw new IllegalArgumentException("headerSecret must not be blank");
    }
    this.headerSecret = headerSecret;
  }

  @Override
  public MockIdentityServer start() {
    super.start();
    return this;
  }

  /**
   * Runs the server standalone: {@code [--port P]}. Prints {@code Listening: {json}} and serves until {@code
   * /__control/stop} is called or the process ends.
   *
   * @param args the arguments
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    serve(args, "MockIdentityServer", port -> new MockIdentityServer(port).start());
  }

  @Override
  protected void routes(HttpServer server) {
    server.createContext(APP_SERVICE_PATH, ex -> token(ex, true));
    server.createContext(IMDS_PATH, ex -> token(ex, false));
    server.createContext("/__control/configure", this::configure);
  }

  /** @return {@code IDENTITY_ENDPOINT} for the App Service contract */
  public URI appServiceEndpoint() {
    return url(APP_SERVICE_PATH);
  }

  /** @return the secret the App Service contract expects in {@code X-IDENTITY-HEADER} ({@code IDENTITY_HEADER}) */
  public synchronized String identityHeader() {
    if (headerSecret == null) {
      headerSecret = "mock-identity-header-" + HexFormat.of().formatHex(randomBytes(12));
    }
    return headerSecret;
  }

  /** @return {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} pointing at this server */
  public Map<String, String> appServiceEnvironment() {
    return Map.of("IDENTITY_ENDPOINT", appServiceEndpoint().toString(), "IDENTITY_HEADER", identityHeader());
  }

  /** @return {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} pointing at this server, for the IMDS contract */
  public Map<String, String> imdsEnvironment() {
    return Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", url().toString());
  }

  /**
   * Sets the lifetime of tokens issued from now on.
   *
   * @param lifetime the lifetime
   * @return this server
   */
  public MockIdentityServer tokenLifetime(Duration lifetime) {
    state().lifetime = Objects.requireNonNull(lifetime, "lifetime");
    return this;
  }

  /**
   * Sets whether each token request gets a new token (the default) or the last one again.
   *
   * @param rotate whether to rotate
   * @return this server
   */
  public MockIdentityServer rotateTokens(boolean rotate) {
    state().rotate = rotate;
    return this;
  }

  /**
   * Sets the clock that {@code expires_on} is computed from; the system clock by default.
   *
   * @param clock the clock
   * @return this server
   */
  public MockIdentityServer clock(InstantSource clock) {
    state().clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Sets the {@code refresh_in} (seconds) sent with tokens issued from now on; {@code null} (the default) sends
   * none.
   *
   * @param refreshIn when the client should refresh, or {@code null}
   * @return this server
   */
  public MockIdentityServer refreshIn(@Nullable Duration refreshIn) {
    state().refreshIn = refreshIn;
    return this;
  }

  /**
   * Sets how token answers give the expiry; {@link AnswerStyle#AZURE} by default.
   *
   * @param style the form
   * @return this server
   */
  public MockIdentityServer answerStyle(AnswerStyle style) {
    state().style = Objects.requireNonNull(style, "style");
    return this;
  }

  /**
   * Sets whether token answers echo the {@code X-IDENTITY-HEADER} they were sent, right after the token, in a field
   * {@code identity_header}, as a badly built proxy might: then a truncated answer holds two secrets.
   *
   * @param echo whether to echo it
   * @return this server
   */
  public MockIdentityServer echoIdentityHeader(boolean echo) {
    state().echoIdentityHeader = echo;
    return this;
  }

  /**
   * Returns how many trickled answers ({@link Fault#trickle(Duration)}) ended because the client hung up before the
   * body was complete.
   *
   * @return the count
   */
  public int tricklesAbandoned() {
    return state().tricklesAbandoned.get();
  }

  /**
   * Queues a fault for the next token request that has no earlier fault waiting; every kind of {@link Fault} is
   * served.
   *
   * @param fault the fault
   * @return this server
   */
  public MockIdentityServer enqueue(Fault fault) {
    state().faults.add(Objects.requireNonNull(fault, "fault"));
    return this;
  }

  /** Drops the queued faults not yet used; requests, issued tokens and settings are kept. */
  public void clearFaults() {
    state().faults.clear();
  }

  /**
   * Holds every token answer (the request is recorded first) until {@link #releaseTokens()}, {@link #reset()} or
   * a minute has passed, so tests can make callers wait for a token.
   *
   * @return this server
   */
  public MockIdentityServer holdTokens() {
    tokenGate = new CountDownLatch(1);
    return this;
  }

  /** Lets held token answers go. */
  public void releaseTokens() {
    CountDownLatch gate = tokenGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** @return the tokens issued so far, in order (repeats included when rotation is off) */
  public List<String> issuedTokens() {
    return List.copyOf(state().issued);
  }

  /** @return the token requests received (both contracts), in arrival order, faulted ones included */
  public List<RecordedRequest> tokenRequests() {
    return recorded(r -> r.path().equals(APP_SERVICE_PATH) || r.path().equals(IMDS_PATH));
  }

  /**
   * Forgets requests, tokens and queued faults, releases held answers, and restores the default lifetime, rotation
   * and clock.
   */
  @Override
  public void reset() {
    super.reset();
    releaseTokens();
    tokenGate = null;
    synchronized (this) {
      state = new State();
    }
  }

  @Override
  protected Map<String, Object> describe() {
    Map<String, Object> m = super.describe();
    m.put("appServiceEndpoint", appServiceEndpoint().toString());
    m.put("identityHeader", identityHeader());
    m.put("imdsAuthorityHost", url().toString());
    m.put("configure", url("/__control/configure").toString());
    m.put("appServiceEnvironment", new java.util.TreeMap<>(appServiceEnvironment()));
    m.put("imdsEnvironment", imdsEnvironment());
    return m;
  }

  @Override
  public String toString() {
    return "MockIdentityServer[" + url() + "]";
  }

  private synchronized State state() {
    if (state == null) {
      state = new State();
    }
    return state;
  }

  private void token(HttpExchange ex, boolean appService) throws IOException {
    RecordedRequest r = record(ex);
    State s = state();
    if (!"GET".equals(r.method())) {
      respond(ex, 405, "application/json", error("method_not_allowed", "use GET"));
      return;
    }
    if (appService && !identityHeader().equals(r.header("X-IDENTITY-HEADER"))) {
      respond(ex, 401, "application/json", error("unauthorized", "X-IDENTITY-HEADER is missing or wrong"));
      return;
    }
    if (!appService && !"true".equalsIgnoreCase(r.header("Metadata"))) {
      respond(ex, 400, "application/json", error("invalid_request", "Required metadata header not specified"));
      return;
    }
    String resource = r.queryParameter("resource");
    if (resource == null || resource.isEmpty() || r.queryParameter("api-version") == null) {
      respond(ex, 400, "application/json", error("invalid_request", "resource and api-version are required"));
      return;
    }
    CountDownLatch gate = tokenGate;
    if (gate != null) {
      try {
        gate.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Fault fault = s.faults.poll();
    if (fault != null && fault.delay() != null) {
      try {
        Thread.sleep(fault.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (fault != null && replaced(ex, fault)) {
      return;
    }
    String token = nextToken(s);
    Duration lifetime = s.lifetime;
    Instant expiresOn = s.clock.instant().plus(s.clockOffset).plus(lifetime);
    s.expiries.put(token, Instant.ofEpochSecond(expiresOn.getEpochSecond()));
    JsonObject body = new JsonObject();
    body.addProperty("access_token", token);
    String echoed = r.header("X-IDENTITY-HEADER");
    if (s.echoIdentityHeader && echoed != null) {
      body.addProperty("identity_header", echoed);
    }
    switch (s.style) {
      case AZURE -> body.addProperty("expires_on", Long.toString(expiresOn.getEpochSecond()));
      case EXPIRES_ON_NUMBER -> body.addProperty("expires_on", expiresOn.getEpochSecond());
      case EXPIRES_ON_DATE -> body.addProperty("expires_on", APP_SERVICE_DATE.format(
          expiresOn.atOffset(java.time.ZoneOffset.UTC)));
      case EXPIRES_IN_ONLY -> body.addProperty("expires_in", lifetime.toSeconds());
    }
    if (s.style != AnswerStyle.EXPIRES_IN_ONLY) {
      body.addProperty("expires_in", Long.toString(lifetime.toSeconds()));
    }
    Duration refreshIn = s.refreshIn;
    if (refreshIn != null) {
      body.addProperty("refresh_in", refreshIn.toSeconds());
    }
    body.addProperty("token_type", "Bearer");
    body.addProperty("resource", resource);
    for (String selector : List.of("client_id", "object_id", "mi_res_id")) {
      String value = r.queryParameter(selector);
      if (value != null && s.style != AnswerStyle.EXPIRES_IN_ONLY) {
        body.addProperty(selector, value);
      }
    }
    String text = body.toString();
    if (fault != null && fault.body() != null) {
      text = switch (fault.body()) {
        case MALFORMED -> "{access_token: not json";
        case TRUNCATED -> text.substring(0, text.length() * 3 / 4);
        case HUGE -> {
          body.addProperty("padding", "x".repeat((int) Math.min(Integer.MAX_VALUE - 64, fault.size())));
          yield body.toString();
        }
        case RESET, SHORT -> throw new IllegalStateException("handled above");
      };
    } else if (fault != null && fault.missingField() != null) {
      body.remove(fault.missingField());
      text = body.toString();
    }
    if (fault != null && fault.trickle() != null) {
      trickle(ex, text, fault.trickle(), s);
      return;
    }
    respond(ex, 200, "application/json", text);
  }

  /** Serves a fault that replaces the answer; returns false for one that breaks (or delays) a good answer. */
  private static boolean replaced(HttpExchange ex, Fault fault) throws IOException {
    if (fault.body() == BrokenBody.RESET) {
      ex.close();
      return true;
    }
    Duration stall = fault.stall();
    if (stall != null) {
      stall(ex, stall);
      return true;
    }
    if (fault.body() == BrokenBody.SHORT) {
      shortBody(ex, "{\"access_token\":\"mi.");
      return true;
    }
    String answer = fault.answer();
    if (answer != null) {
      respond(ex, fault.status(), "application/json", answer);
      return true;
    }
    if (fault.status() != 0) {
      String retryAfter = fault.retryAfter();
      if (retryAfter != null) {
        ex.getResponseHeaders().set("Retry-After", retryAfter);
      }
      String code = fault.errorGiven() ? fault.error() : "mock_fault";
      respond(ex, fault.status(), "application/json",
          code == null ? "" : error(code, "queued fault " + fault.status()));
      return true;
    }
    return false;
  }

  /** Sends the status and headers at once, then the body one byte per interval, until done or the client hangs up. */
  private static void trickle(HttpExchange ex, String text, Duration interval, State s) throws IOException {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    try {
      ex.sendResponseHeaders(200, bytes.length);
      java.io.OutputStream out = ex.getResponseBody();
      for (byte b : bytes) {
        out.write(b);
        out.flush();
        Thread.sleep(interval.toMillis());
      }
      out.close();
    } catch (IOException hungUp) {
      s.tricklesAbandoned.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ex.close();
    }
  }

  private static String nextToken(State s) {
    String last = s.lastToken;
    String token = !s.rotate && last != null
        ? last
        : "mi." + s.instance + "." + s.counter.incrementAndGet() + "." + HexFormat.of().formatHex(randomBytes(8));
    s.lastToken = token;
    s.issued.add(token);
    return token;
  }

  private void configure(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    if (!"POST".equals(r.method())) {
      respond(ex, 405, "application/json", error("method_not_allowed", "use POST with a JSON object"));
      return;
    }
    JsonObject o;
    try {
      JsonElement parsed = JsonParser.parseString(r.bodyText());
      if (!parsed.isJsonObject()) {
        throw new JsonParseException("not an object");
      }
      o = parsed.getAsJsonObject();
      List<Fault> faults = new ArrayList<>();
      if (o.has("faults")) {
        for (JsonElement f : o.getAsJsonArray("faults")) {
          faults.add(Fault.fromJson(f.getAsJsonObject()));
        }
      }
      if (o.has("tokenLifetimeSeconds")) {
        tokenLifetime(Duration.ofSeconds(o.get("tokenLifetimeSeconds").getAsLong()));
      }
      if (o.has("clockOffsetSeconds")) {
        state().clockOffset = Duration.ofSeconds(o.get("clockOffsetSeconds").getAsLong());
      }
      if (o.has("rotateTokens")) {
        rotateTokens(o.get("rotateTokens").getAsBoolean());
      }
      if (o.has("refreshInSeconds")) {
        refreshIn(Duration.ofSeconds(o.get("refreshInSeconds").getAsLong()));
      }
      if (o.has("answerStyle")) {
        answerStyle(AnswerStyle.valueOf(o.get("answerStyle").getAsString().toUpperCase(java.util.Locale.ROOT)));
      }
      if (o.has("echoIdentityHeader")) {
        echoIdentityHeader(o.get("echoIdentityHeader").getAsBoolean());
      }
      faults.forEach(this::enqueue);
    } catch (RuntimeException e) {
      respond(ex, 400, "application/json", error("invalid_request",
          "expected {\"tokenLifetimeSeconds\": n, \"rotateTokens\": bool, \"faults\": [...]}: " + e.getMessage()));
      return;
    }
    respond(ex, 204, null, "");
  }

  private static String error(String code, String description) {
    JsonObject o = new JsonObject();
    o.addProperty("error", code);
    o.addProperty("error_description", description);
    return o.toString();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Returns the expiry this server announced for a token it issued, as sent in {@code expires_on} (whole seconds);
   * for a token issued again with rotation off, its latest expiry.
   *
   * @param token the token value
   * @return the expiry, or {@code null} when this server did not issue the token
   */
  public @Nullable Instant expiryOf(String token) {
    return state().expiries.get(token);
  }
}
