package dev.llmauth.codex;

import com.google.gson.JsonElement;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Signs in to ChatGPT and stores the tokens in the Codex CLI's {@code auth.json}, or signs out.
 *
 * <p>The file is the one the Codex CLI uses ({@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json},
 * unless {@code codexOAuth.authFile} names another), so a sign-in made here works for the Codex CLI and the
 * other way round. Members of the file this library does not know are kept.
 *
 * <ul>
 *   <li>{@link #signInWithBrowser} opens the issuer's sign-in page (PKCE S256, checked {@code state}) and waits,
 *       at most 5 minutes, for the redirect on {@code http://localhost:1455/auth/callback} (port 1457 when 1455 is
 *       taken on 127.0.0.1 or on ::1; it listens on both). Opening {@code
 *       http://localhost:<port>/cancel?state=<the state of the sign-in URL>} ends the wait; without the right
 *       state it is refused.
 *   <li>{@link #signInWithDevice} shows a code to enter at {@code <issuer>/codex/device} on any other device and
 *       polls, at the issuer's interval, for at most 15 minutes: for machines without a browser.
 *   <li>{@link #signOut} removes the stored tokens.
 * </ul>
 *
 * <pre>{@code
 * CodexSignIn signIn = CodexSignIn.builder().build();
 * CodexSignIn.Result result = signIn.signInWithDevice(code ->
 *     System.out.println("Open " + code.verificationUri() + " and enter " + code.userCode()));
 * System.out.println("Signed in; tokens stored at " + result.authFile());
 * }</pre>
 */
public final class CodexSignIn {
  /** The error code of a failed, cancelled or timed-out sign-in. */
  public static final String SIGN_IN_FAILED = "sign_in_failed";

  static final int DEFAULT_PORT = 1455;
  static final int FALLBACK_PORT = 1457;
  static final Duration BROWSER_TIMEOUT = Duration.ofMinutes(5);
  static final Duration DEVICE_LIMIT = Duration.ofMinutes(15);
  static final Duration DEFAULT_DEVICE_INTERVAL = Duration.ofSeconds(5);
  static final String SCOPE = "openid profile email offline_access api.connectors.read api.connectors.invoke";

  private final AuthFile file;
  private final OAuthClient client;
  private final String originator;
  private final int port;
  private final int fallbackPort;
  private final Duration browserTimeout;
  private final Duration deviceLimit;
  private final InstantSource clock;
  private final Sleeper sleeper;

  private CodexSignIn(Builder b) {
    CodexOAuthSettings config = b.config;
    Map<String, String> env = b.environment;
    this.file = AuthFile.resolve(config, name -> {
      String v = env.get(name);
      return v == null || v.isEmpty() ? null : v;
    });
    this.originator = config.originatorOrDefault();
    try {
      this.client = new OAuthClient(config.issuerOrDefault(), originator, config.timeouts());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, "codexOAuth.issuer", e.getMessage());
    }
    this.port = b.port;
    this.fallbackPort = b.fallbackPort;
    this.browserTimeout = b.browserTimeout;
    this.deviceLimit = b.deviceLimit;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
  }

  /** @return a builder: the standard file, issuer and ports */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the {@code auth.json} this instance reads and writes */
  public Path authFile() {
    return file.path();
  }

  /**
   * Signs in through a browser. Starts the loopback callback server, passes the sign-in URL to {@code
   * openBrowser}, and waits for the issuer's redirect, the cancel URL or the 5-minute timeout.
   *
   * @param openBrowser opens the URL for the user (or prints it); it should not block
   * @return the stored sign-in
   * @throws AuthException with code {@link #SIGN_IN_FAILED} when the sign-in fails, is cancelled or times out
   */
  public Result signInWithBrowser(Consumer<URI> openBrowser) {
    Pkce pkce = Pkce.generate();
    String state = Pkce.random(32);
    try (CallbackServer server = CallbackServer.start(port, fallbackPort, state,
        (code, redirectUri) -> exchangeAndStore(code, redirectUri, pkce.verifier))) {
      openBrowser.accept(authorizeUri(server.redirectUri(), pkce, state));
      return server.await(browserTimeout);
    }
  }

  /**
   * Signs in with a device code. Asks the issuer for a code, passes it to {@code showCode}, and polls at the
   * issuer's interval until the user has entered it, for at most 15 minutes.
   *
   * @param showCode shows the user where to go and what to enter; it should not block
   * @return the stored sign-in
   * @throws AuthException with code {@link #SIGN_IN_FAILED} when the sign-in fails or times out
   */
  public Result signInWithDevice(Consumer<DeviceCode> showCode) {
    OAuthClient.Response start = call(client::requestUserCode, "requesting a device code");
    if (start.status() == 404) {
      throw failed("the issuer " + client.issuer() + " does not offer device sign-in; use the browser sign-in");
    }
    String deviceAuthId = start.string("device_auth_id");
    String userCode = start.string("user_code") != null ? start.string("user_code") : start.string("usercode");
    if (!start.ok() || deviceAuthId == null || userCode == null) {
      throw failed("requesting a device code from " + client.issuer() + " failed: " + start);
    }
    Duration interval = interval(start);
    showCode.accept(new DeviceCode(URI.create(client.issuer() + "/codex/device"), userCode, deviceLimit));
    Instant begin = clock.instant();
    OAuthClient.Response poll;
    while (true) {
      poll = call(() -> client.pollDevice(deviceAuthId, userCode), "polling the device sign-in");
      if (poll.ok()) {
        break;
      }
      if (poll.status() != 403 && poll.status() != 404) {
        throw failed("the device sign-in failed: " + poll);
      }
      Duration left = deviceLimit.minus(Duration.between(begin, clock.instant()));
      if (left.isNegative() || left.isZero()) {
        throw failed("the device code was not entered within " + deviceLimit.toMinutes() + " minutes; run the "
            + "sign-in again");
      }
      try {
        sleeper.sleep(interval.compareTo(left) < 0 ? interval : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AuthException(SIGN_IN_FAILED, "the sign-in was interrupted", e);
      }
    }
    String code = poll.string("authorization_code");
    String verifier = poll.string("code_verifier");
    if (code == null || verifier == null) {
      throw failed("the issuer's device answer lacked authorization_code or code_verifier");
    }
    return exchangeAndStore(code, client.issuer() + "/deviceauth/callback", verifier);
  }

  /**
   * Signs out: removes the stored tokens from the file (deleting the file when nothing else is left in it).
   *
   * @return whether a sign-in was stored
   * @throws AuthException when the file cannot be changed
   */
  public boolean signOut() {
    try {
      return file.locked(file::removeSignIn);
    } catch (IOException e) {
      throw new AuthException(SIGN_IN_FAILED, "cannot remove the sign-in from " + file.path() + ": "
          + fileProblem(e), e);
    }
  }

  @Override
  public String toString() {
    return "CodexSignIn[" + file.path() + ", issuer=" + client.issuer() + "]";
  }

  URI authorizeUri(String redirectUri, Pkce pkce, String state) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", OAuthClient.CLIENT_ID);
    q.put("redirect_uri", redirectUri);
    q.put("scope", SCOPE);
    q.put("code_challenge", pkce.challenge);
    q.put("code_challenge_method", "S256");
    q.put("id_token_add_organizations", "true");
    q.put("codex_cli_simplified_flow", "true");
    q.put("state", state);
    q.put("originator", originator);
    return URI.create(client.issuer() + "/oauth/authorize?" + q.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("&")));
  }

  private Result exchangeAndStore(String code, String redirectUri, String verifier) {
    OAuthClient.Response r = call(() -> client.exchangeCode(code, redirectUri, verifier),
        "exchanging the authorization code");
    String idToken = r.string("id_token");
    String access = r.string("access_token");
    String refresh = r.string("refresh_token");
    if (!r.ok()) {
      throw failed("the token exchange failed: " + r);
    }
    if (idToken == null || access == null || refresh == null) {
      throw failed("the issuer's token answer lacked id_token, access_token or refresh_token");
    }
    try {
      String account = file.locked(() -> file.storeSignIn(idToken, access, refresh, clock.instant()));
      return new Result(file.path(), account, Jwt.email(idToken));
    } catch (IOException e) {
      throw new AuthException(SIGN_IN_FAILED, "signed in, but the tokens cannot be stored at " + file.path() + ": "
          + fileProblem(e), e);
    }
  }

  private static String fileProblem(IOException e) {
    return e instanceof AuthFile.Unparsable ? e.getMessage() + "; it was left unchanged: repair it or move it "
        + "away, then try again" : e.getClass().getSimpleName();
  }

  private OAuthClient.Response call(IoCall call, String what) {
    try {
      return call.run();
    } catch (IOException e) {
      throw new AuthException(SIGN_IN_FAILED, what + " at " + client.issuer() + " failed: "
          + e.getClass().getSimpleName(), e);
    }
  }

  private static Duration interval(OAuthClient.Response r) {
    JsonElement e = r.body() == null ? null : r.body().get("interval");
    long seconds = 0;
    if (e != null && e.isJsonPrimitive()) {
      try {
        seconds = Long.parseLong(e.getAsString().trim());
      } catch (NumberFormatException ignored) {
        seconds = 0;
      }
    }
    return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_DEVICE_INTERVAL;
  }

  private static AuthException failed(String message) {
    return new AuthException(SIGN_IN_FAILED, message, null);
  }

  @FunctionalInterface
  private interface IoCall {
    OAuthClient.Response run() throws IOException;
  }

  /** Waits between device polls; tests replace it. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * What the user needs for a device sign-in.
   *
   * @param verificationUri where to go, {@code <issuer>/codex/device}
   * @param userCode the one-time code to enter there; do not share it
   * @param expiresIn how long the code can be entered
   */
  public record DeviceCode(URI verificationUri, String userCode, Duration expiresIn) {
    /** Requires every field. */
    public DeviceCode {
      Objects.requireNonNull(verificationUri, "verificationUri");
      Objects.requireNonNull(userCode, "userCode");
      Objects.requireNonNull(expiresIn, "expiresIn");
    }
  }

  /**
   * A completed sign-in.
   *
   * @param authFile where the tokens are stored
   * @param accountId the ChatGPT account id sent as {@code ChatGPT-Account-Id}, or {@code null}
   * @param email the account's e-mail address, or {@code null}
   */
  public record Result(Path authFile, @Nullable String accountId, @Nullable String email) {
    /** Requires the file. */
    public Result {
      Objects.requireNonNull(authFile, "authFile");
    }
  }

  /** Configures a {@link CodexSignIn}. */
  public static final class Builder {
    private CodexOAuthSettings config = CodexOAuthSettings.defaults();
    private Map<String, String> environment = System.getenv();
    private int port = DEFAULT_PORT;
    private int fallbackPort = FALLBACK_PORT;
    private Duration browserTimeout = BROWSER_TIMEOUT;
    private Duration deviceLimit = DEVICE_LIMIT;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

    private Builder() {}

    /**
     * Sets the file, issuer, originator and issuer timeouts, as a provider's {@code codexOAuth} block does.
     *
     * @param config the settings; unset fields keep their defaults
     * @return this builder
     */
    public Builder config(CodexOAuthSettings config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the environment that locates the default file ({@code CODEX_HOME}, {@code HOME}); the process's by
     * default.
     *
     * @param environment the variables
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * Sets the callback ports of the browser sign-in: 1455, else 1457, by default. The issuer accepts only
     * registered redirect URIs, so other ports are for tests and private issuers; 0 picks a free port.
     *
     * @param port the port tried first
     * @param fallback the port tried when {@code port} is taken
     * @return this builder
     */
    public Builder callbackPorts(int port, int fallback) {
      this.port = checkPort(port);
      this.fallbackPort = checkPort(fallback);
      return this;
    }

    Builder browserTimeout(Duration timeout) {
      this.browserTimeout = timeout;
      return this;
    }

    Builder deviceLimit(Duration limit) {
      this.deviceLimit = limit;
      return this;
    }

    Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = sleeper;
      return this;
    }

    /**
     * Builds.
     *
     * @return the instance
     * @throws ConfigException when the issuer is not an https URL (http is accepted on loopback only)
     */
    public CodexSignIn build() {
      return new CodexSignIn(this);
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("callback port " + port + " is outside 0-65535");
      }
      return port;
    }
  }
}
