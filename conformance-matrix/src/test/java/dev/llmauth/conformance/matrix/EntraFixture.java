package dev.llmauth.conformance.matrix;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.conformance.IssuerFault;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockIdentityServer.AnswerStyle;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.entra.EntraMethod;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The entra method over one of its two paths, the App Service contract: a system-assigned managed identity through
 * MSAL4J ({@link Path#MANAGED_IDENTITY}, {@code "managedIdentity": {}}), or the DefaultAzureCredential chain narrowed
 * to ManagedIdentityCredential by {@code AZURE_TOKEN_CREDENTIALS} ({@link Path#CHAIN}, {@code "entra": {}}), with the
 * identity server answering in one {@link AnswerStyle}. The chain's transport is azure-core's default HttpClient
 * provider, which this JVM's {@code AZURE_HTTP_CLIENT_IMPLEMENTATION} selects (conformance-matrix/pom.xml runs the
 * Entra suites once over netty and once over the JDK client).
 *
 * <p>MSAL4J reads {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} from the process environment only, so the
 * test JVM is started with them (conformance-matrix/pom.xml) and one {@link MockIdentityServer} serves that
 * address for the whole JVM, reset for each fixture. MSAL4J's token cache is static and the first fetch may be
 * answered from it, so each fixture asks for a scope of its own: no fixture ever gets another's token.
 *
 * <p>Issuer faults (rules F1 to F11, F10's raw {@code Retry-After} values included) are queued at the identity
 * server until {@link #clearFaults()}, with the
 * statuses MSAL4J retries on App Service where the fault allows one (429 and 503: four calls per request). To keep
 * the matrix fast, MSAL's retry pauses (1 s on App Service) are shortened to {@link #MSAL_PAUSE_MS} through MSAL's
 * own test hook ({@code setRetryDelayMs}, as auth-entra's IdentityFaultsTest does); which statuses MSAL retries and
 * how often stays MSAL's. For {@link IssuerFault#TIMEOUT} the server holds each call for a minute and closes it
 * without an answer; for {@link IssuerFault#TRICKLE} it sends the headers at once and then a byte every 200 ms. For
 * both, the provider's block sets the identity exchange's deadline ({@code "timeout"}, 20 s by default) to {@link
 * #SHORT_READ_TIMEOUT}.
 */
final class EntraFixture implements MethodFixture {
  /** The variables the method reads; the fixture's environment equals the process's for each. */
  private static final List<String> VARIABLES = List.of("IDENTITY_ENDPOINT", "IDENTITY_HEADER",
      "AZURE_TOKEN_CREDENTIALS", "AZURE_HTTP_CLIENT_IMPLEMENTATION");
  /** More faults than any rule makes issuer calls: every later call fails. */
  private static final int FAULTS = 1000;
  private static final AtomicInteger SERIAL = new AtomicInteger();
  /** MSAL4J's pause between retries of a managed-identity call, in milliseconds, for this JVM. */
  static final int MSAL_PAUSE_MS = 5;
  /** The identity exchange's deadline under {@link IssuerFault#TIMEOUT}. */
  static final Duration SHORT_READ_TIMEOUT = Duration.ofMillis(3000);
  private static @Nullable MockIdentityServer shared;

  /** Which Entra path a fixture takes. */
  enum Path {
    /** {@code "managedIdentity": {}}: MSAL4J over the method's own HTTP client. */
    MANAGED_IDENTITY,
    /** {@code "entra": {}}: azure-identity's DefaultAzureCredential, narrowed to ManagedIdentityCredential. */
    CHAIN
  }

  private final MockIdentityServer identity;
  private final Path path;
  private final AnswerStyle style;
  private final String scope;
  /** The deadline the provider's block sets, or {@code null} for the method's default. */
  private @Nullable Duration readTimeout;

  /** The managed-identity path, answers as Azure sends them. */
  EntraFixture() {
    this(Path.MANAGED_IDENTITY, AnswerStyle.AZURE);
  }

  EntraFixture(Path path, AnswerStyle style) {
    this.path = path;
    this.style = style;
    identity = server();
    identity.reset();
    identity.answerStyle(style);
    scope = "api://conformance-" + SERIAL.incrementAndGet() + "/.default";
  }

  @Override
  public String toString() {
    return "entra " + path + " " + style;
  }

  /** Starts the JVM's identity server on the address the process environment names. */
  private static synchronized MockIdentityServer server() {
    MockIdentityServer s = shared;
    if (s == null) {
      String endpoint = System.getenv("IDENTITY_ENDPOINT");
      String header = System.getenv("IDENTITY_HEADER");
      if (endpoint == null || endpoint.isEmpty() || header == null || header.isEmpty()) {
        throw new IllegalStateException("IDENTITY_ENDPOINT and IDENTITY_HEADER are not set in this process; MSAL4J "
            + "reads them from the process environment only. Run the matrix with mvn verify (conformance-matrix/"
            + "pom.xml sets them), or set IDENTITY_ENDPOINT=http://127.0.0.1:<free port>/msi/token and "
            + "IDENTITY_HEADER=<any value> yourself");
      }
      URI uri = URI.create(endpoint);
      if (!"127.0.0.1".equals(uri.getHost()) || !MockIdentityServer.APP_SERVICE_PATH.equals(uri.getPath())) {
        throw new IllegalStateException("IDENTITY_ENDPOINT must be http://127.0.0.1:<port>"
            + MockIdentityServer.APP_SERVICE_PATH + " for the mock identity server, got " + endpoint);
      }
      s = new MockIdentityServer(uri.getPort(), header).start();
      shared = s;
      try {
        for (String policy : List.of("ManagedIdentityRetryPolicy", "IMDSRetryPolicy")) {
          Method m = Class.forName("com.microsoft.aad.msal4j." + policy).getDeclaredMethod("setRetryDelayMs",
              int.class);
          m.setAccessible(true);
          m.invoke(null, MSAL_PAUSE_MS);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot shorten MSAL4J's retry pauses; its test hook changed: " + e, e);
      }
    }
    return s;
  }

  @Override
  public String method() {
    return EntraMethod.METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new EntraMethod();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("scope", scope);
    Duration timeout = readTimeout;
    if (timeout != null) {
      block.put("timeout", timeout.toMillis() + "ms");
    }
    provider.set(path == Path.CHAIN ? "entra" : "managedIdentity", block);
  }

  @Override
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : VARIABLES) {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  @Override
  public Secret currentToken() {
    List<String> issued = identity.issuedTokens();
    if (issued.isEmpty()) {
      throw new IllegalStateException("the identity server issued no token yet");
    }
    return Secret.of(issued.get(issued.size() - 1));
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.of(identity.tokenRequests().size());
  }

  @Override
  public Runnable holdIssuer() {
    identity.holdTokens();
    return identity::releaseTokens;
  }

  /** Answers 403, which MSAL4J does not retry: a failure arrives without MSAL's retry pauses. */
  @Override
  public boolean failIssuer() {
    for (int i = 0; i < FAULTS; i++) {
      identity.enqueue(Fault.status(403));
    }
    return true;
  }

  @Override
  public boolean injectFault(IssuerFault fault) {
    if (fault == IssuerFault.EXPIRED_TOKEN) {
      identity.tokenLifetime(Duration.ofMinutes(-2));
      return true;
    }
    if (fault == IssuerFault.TIMEOUT || fault == IssuerFault.TRICKLE) {
      readTimeout = SHORT_READ_TIMEOUT;
    }
    for (int i = 0; i < FAULTS; i++) {
      identity.enqueue(switch (fault) {
        // held for a minute, then closed without an answer
        case TIMEOUT -> Fault.stall(Duration.ofMinutes(1));
        case RESET -> Fault.connectionReset();
        case RATE_LIMITED -> Fault.status(429, IssuerFault.RETRY_AFTER);
        case SERVER_ERROR -> Fault.status(503);
        case REJECTED -> Fault.status(403);
        case MALFORMED -> i % 2 == 0 ? Fault.malformedJson() : Fault.truncatedJson();
        case MISSING_TOKEN -> Fault.missingField("access_token");
        case HUGE_BODY -> Fault.hugeBody();
        // headers at once, then a byte every 200 ms: a whole answer would take about a minute
        case TRICKLE -> Fault.trickle(Duration.ofMillis(200));
        case EXPIRED_TOKEN -> throw new IllegalStateException("handled above");
      });
    }
    return true;
  }

  /** Queues 429s with the value as it is, for every later identity call, on either path. */
  @Override
  public boolean rateLimitWith(String retryAfter) {
    for (int i = 0; i < FAULTS; i++) {
      identity.enqueue(Fault.status(429, retryAfter));
    }
    return true;
  }

  /**
   * The identity server stamps {@code expires_on} with the suite's clock, which the managed-identity path follows: it
   * forces every fetch after the first past MSAL4J's token cache. It cannot follow that clock where the expiry is taken
   * from {@code expires_in}, read against the system clock when the answer arrives (the answer style with only {@code
   * expires_in}), nor on the chain path, where azure-identity gives no way to force a fetch past MSAL4J's cache, which
   * judges a token's age by the system clock: once the suite's clock is minutes ahead, MSAL hands back a token that
   * has expired on the suite's clock (seen in this matrix), and on that path an {@code expires_on} sent as a JSON
   * number is not read at all (the expiry then follows {@code expires_in}).
   */
  @Override
  public boolean issueTokensLiving(Duration lifetime, InstantSource clock) {
    if (style == AnswerStyle.EXPIRES_IN_ONLY || path == Path.CHAIN) {
      return false;
    }
    identity.tokenLifetime(lifetime).clock(clock);
    return true;
  }

  @Override
  public void clearFaults() {
    identity.clearFaults();
    identity.tokenLifetime(Duration.ofHours(1));
  }

  @Override
  public List<Secret> secrets() {
    List<Secret> all = new ArrayList<>();
    all.add(Secret.of(identity.identityHeader()));
    identity.issuedTokens().forEach(t -> all.add(Secret.of(t)));
    return all;
  }

  @Override
  public void close() {
    identity.releaseTokens();
  }
}
