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
 * <p>Run it standalone with {@code bin/llm-auth mock identity} or this class's {@link #main(String[])}: it prints
 * one line {@code Listening: {json}} with its URLs, header secret and environment, and serves until stopped.
 */
public final class MockIdentityServer extends MockServer {
  /** The App Service token path. */
  public static final String APP_SERVICE_PATH = "/msi/token";
  /** The IMDS token path. */
  public static final String IMDS_PATH = "/metadata/identity/oauth2/token";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
  private static final int HUGE_BODY_BYTES = 2 * 1024 * 1024;
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

  private MockIdentityServer(int port) {
    super(port);
  }

  /** @return a server on a free loopback port */
  public static MockIdentityServer start() {
    return new MockIdentityServer(0);
  }

  /**
   * Starts a server on a given port.
   *
   * @param port the port, or 0 for a free one
   * @return the server
   */
  public static MockIdentityServer start(int port) {
    return new MockIdentityServer(port);
  }

  /**
   * Starts a server on a given port that expects a given {@code IDENTITY_HEADER} secret, for a process whose
   * environment was set before it started (MSAL4J reads {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER}
   * from the process environment only).
   *
   * @param port the port, or 0 for a free one
   * @param headerSecret the value {@code X-IDENTITY-HEADER} must carry
   * @return the server
   */
  public static MockIdentityServer start(int port, String headerSecret) {
    if (headerSecret.isBlank()) {
      throw new IllegalArgumentException("headerSecret must not be blank");
    }
    MockIdentityServer server = new MockIdentityServer(port);
    synchronized (server) {
      server.headerSecret = headerSecret;
    }
    return server;
  }

  /**
   * Runs the server standalone: {@code [--port P]}. Prints {@code Listening: {json}} and serves until {@code
   * /__control/stop} is called or the process ends.
   *
   * @param args the arguments
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    serve(args, "MockIdentityServer", MockIdentityServer::start);
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
   * Queues a fault for the next token request that has no earlier fault waiting.
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
    if (fault != null && fault.body() == BrokenBody.RESET) {
      ex.close();
      return;
    }
    if (fault != null && fault.status() != 0) {
      if (fault.retryAfterHeader() != null) {
        ex.getResponseHeaders().set("Retry-After", fault.retryAfterHeader());
      } else if (fault.retryAfter() != null) {
        ex.getResponseHeaders().set("Retry-After", Long.toString(fault.retryAfter().toSeconds()));
      }
      respond(ex, fault.status(), "application/json", error("mock_fault", "queued fault " + fault.status()));
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
          body.addProperty("padding", "x".repeat(HUGE_BODY_BYTES));
          yield body.toString();
        }
        case RESET -> throw new IllegalStateException("handled above");
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

  /** How a faulty body is broken. */
  public enum BrokenBody {
    /** Not JSON at all. */
    MALFORMED,
    /** A valid response cut off after three quarters: the token (and an echoed header) is in the part sent. */
    TRUNCATED,
    /** A valid response padded past 2 MiB. */
    HUGE,
    /** No answer at all: the connection is closed once the request has arrived. */
    RESET
  }

  /**
   * One faulty answer to a token request: a delay, then an error status (with {@code Retry-After}), a 200 whose
   * body is broken, lacks a field or trickles in, or no answer at all ({@link BrokenBody#RESET}).
   *
   * @param status the error status, or 0 to answer 200
   * @param retryAfter the {@code Retry-After} value, sent in whole seconds, or {@code null}
   * @param delay how long to wait before answering, or {@code null}
   * @param body how to break a 200 body, or {@code null}
   * @param missingField a field to leave out of a 200 body, or {@code null}
   * @param trickle for a 200, the pause before each byte of the body after the headers went at once, or {@code null}
   * @param retryAfterHeader a {@code Retry-After} header value sent as it is (any text, such as {@code soon} or
   *     {@code -5}), in place of {@code retryAfter}, or {@code null}
   */
  public record Fault(int status, @Nullable Duration retryAfter, @Nullable Duration delay,
      @Nullable BrokenBody body, @Nullable String missingField, @Nullable Duration trickle,
      @Nullable String retryAfterHeader) {
    /**
     * A fault whose {@code Retry-After}, if any, is a duration.
     *
     * @param status the error status, or 0 to answer 200
     * @param retryAfter the {@code Retry-After} value, sent in whole seconds, or {@code null}
     * @param delay how long to wait before answering, or {@code null}
     * @param body how to break a 200 body, or {@code null}
     * @param missingField a field to leave out of a 200 body, or {@code null}
     * @param trickle for a 200, the pause before each byte of the body, or {@code null}
     */
    public Fault(int status, @Nullable Duration retryAfter, @Nullable Duration delay, @Nullable BrokenBody body,
        @Nullable String missingField, @Nullable Duration trickle) {
      this(status, retryAfter, delay, body, missingField, trickle, null);
    }

    /**
     * A fault without a trickle.
     *
     * @param status the error status, or 0 to answer 200
     * @param retryAfter the {@code Retry-After} value, or {@code null}
     * @param delay how long to wait before answering, or {@code null}
     * @param body how to break a 200 body, or {@code null}
     * @param missingField a field to leave out of a 200 body, or {@code null}
     */
    public Fault(int status, @Nullable Duration retryAfter, @Nullable Duration delay, @Nullable BrokenBody body,
        @Nullable String missingField) {
      this(status, retryAfter, delay, body, missingField, null);
    }

    /**
     * A good 200 whose headers come at once and whose body then comes one byte per interval: a whole token answer
     * takes a few hundred intervals. {@link #tricklesAbandoned()} counts the clients that hung up first.
     *
     * @param interval the pause before each byte
     * @return the fault
     */
    public static Fault trickle(Duration interval) {
      return new Fault(0, null, null, null, null, Objects.requireNonNull(interval, "interval"));
    }

    /**
     * An error status.
     *
     * @param status the status, such as 500
     * @return the fault
     */
    public static Fault status(int status) {
      return new Fault(status, null, null, null, null);
    }

    /**
     * An error status with {@code Retry-After}.
     *
     * @param status the status, such as 429
     * @param retryAfter the hint, sent in whole seconds
     * @return the fault
     */
    public static Fault status(int status, Duration retryAfter) {
      return new Fault(status, retryAfter, null, null, null);
    }

    /**
     * An error status with a {@code Retry-After} header value sent as it is, however hostile: a number of seconds
     * too large for any clock, a negative one, or text that is not a number.
     *
     * @param status the status, such as 429
     * @param retryAfter the header value, such as {@code 99999999999999999}, {@code -1} or {@code soon}
     * @return the fault
     */
    public static Fault status(int status, String retryAfter) {
      return new Fault(status, null, null, null, null, null, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /**
     * A normal answer after a delay.
     *
     * @param delay the delay
     * @return the fault
     */
    public static Fault delay(Duration delay) {
      return new Fault(0, null, delay, null, null);
    }

    /** @return a 200 whose body is not JSON */
    public static Fault malformedJson() {
      return new Fault(0, null, null, BrokenBody.MALFORMED, null);
    }

    /** @return a 200 whose body is cut off after three quarters */
    public static Fault truncatedJson() {
      return new Fault(0, null, null, BrokenBody.TRUNCATED, null);
    }

    /** @return a 200 whose body is padded past 2 MiB */
    public static Fault hugeBody() {
      return new Fault(0, null, null, BrokenBody.HUGE, null);
    }

    /** @return no answer: the connection is closed after the request arrives */
    public static Fault connectionReset() {
      return new Fault(0, null, null, BrokenBody.RESET, null);
    }

    /**
     * A 200 without one field.
     *
     * @param field such as {@code access_token} or {@code expires_on}
     * @return the fault
     */
    public static Fault missingField(String field) {
      return new Fault(0, null, null, null, Objects.requireNonNull(field, "field"));
    }

    static Fault fromJson(JsonObject o) {
      int status = o.has("status") ? o.get("status").getAsInt() : 0;
      Duration retryAfter = o.has("retryAfterSeconds") ? Duration.ofSeconds(o.get("retryAfterSeconds").getAsLong())
          : null;
      String retryAfterHeader = o.has("retryAfter") ? o.get("retryAfter").getAsString() : null;
      if (retryAfter != null && retryAfterHeader != null) {
        throw new IllegalArgumentException("a fault takes retryAfterSeconds (a number) or retryAfter (the header "
            + "value as it is sent), not both");
      }
      Duration delay = o.has("delayMillis") ? Duration.ofMillis(o.get("delayMillis").getAsLong()) : null;
      BrokenBody body = null;
      if (o.has("body")) {
        String b = o.get("body").getAsString();
        body = switch (b) {
          case "malformed" -> BrokenBody.MALFORMED;
          case "truncated" -> BrokenBody.TRUNCATED;
          case "huge" -> BrokenBody.HUGE;
          case "reset" -> BrokenBody.RESET;
          default -> throw new IllegalArgumentException(
              "body must be \"malformed\", \"truncated\", \"huge\" or \"reset\", got " + b);
        };
      }
      String missing = o.has("missingField") ? o.get("missingField").getAsString() : null;
      Duration trickle = o.has("trickleMillis") ? Duration.ofMillis(o.get("trickleMillis").getAsLong()) : null;
      return new Fault(status, retryAfter, delay, body, missing, trickle, retryAfterHeader);
    }
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
