package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite for issuer faults: rules F1 to F11 of {@code RULES.md}, each one test named after its rule
 * and run once for every credential method that {@link #methods()} lists, through the adapter under test.
 *
 * <p>For each rule the suite asks the method's fixture to make its issuer misbehave ({@link
 * MethodFixture#injectFault}) before it creates the credential, sends one request through the adapter and checks
 * the failure: the client's own exception type, an {@link AuthException} in its cause chain with the right code and
 * permanence, a message that says what failed, no secret, and no hang past {@link #patience()}. It then ends the
 * fault ({@link MethodFixture#clearFaults()}) and checks that the next request succeeds.
 *
 * <pre>{@code
 * class MyAdapterIssuerFaultTest extends IssuerFaultVerification {
 *   @Override
 *   protected AdapterDriver adapter() {
 *     return new MyAdapterDriver();
 *   }
 * }
 * }</pre>
 *
 * <p>A method without an issuer, or one that cannot be made to misbehave in a way, is reported as skipped with the
 * reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class IssuerFaultVerification {
  private static final String CHAT = "{\"model\":\"mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  /** Issuer calls one request may cause at most, retries included: more is a retry storm. */
  static final int MAX_CALLS_PER_REQUEST = 8;

  private @Nullable MockModelServer server;
  private @Nullable AdapterDriver driver;
  private @Nullable ExecutorService caller;

  /** Creates the suite. */
  protected IssuerFaultVerification() {}

  /**
   * The adapter under test; called once per test class.
   *
   * @return the driver
   */
  protected abstract AdapterDriver adapter();

  /**
   * The credential methods each rule runs with; a fresh fixture is created for every test.
   *
   * @return named fixture factories; by default only the kit's {@link ScriptedMethod}
   */
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return List.of(MethodFixture.named(ScriptedMethod.METHOD, ScriptedMethod::new));
  }

  /**
   * How long a request may take to fail or succeed before the rule reports that it hangs. A {@link
   * IssuerFault#TIMEOUT} fault relies on the method's own timeouts, which must end the call within this.
   *
   * @return 30 seconds by default
   */
  protected Duration patience() {
    return KitSupport.PATIENCE;
  }

  @BeforeAll
  final void startKit() {
    driver = Objects.requireNonNull(adapter(), "hook adapter() returned null");
    server = new MockModelServer().start();
    caller = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "issuer-fault-caller");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  final void stopKit() {
    if (server != null) {
      server.close();
    }
    if (caller != null) {
      caller.shutdownNow();
    }
  }

  @BeforeEach
  final void resetServer() {
    server().reset();
  }

  // ---------------------------------------------------------------------------------------------------------

  /** <a href="RULES.md#f1">F1</a>: an issuer that never answers gives a transient error once the timeout ends it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f1_anIssuerThatNeverAnswersTimesOut(Supplier<MethodFixture> method) throws Exception {
    check("F1", IssuerFault.TIMEOUT, method);
  }

  /** <a href="RULES.md#f2">F2</a>: a connection closed before any answer gives a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f2_aResetConnectionIsTransient(Supplier<MethodFixture> method) throws Exception {
    check("F2", IssuerFault.RESET, method);
  }

  /** <a href="RULES.md#f3">F3</a>: 429 with Retry-After gives a transient error that carries the hint. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f3_rateLimitingIsTransientAndCarriesRetryAfter(Supplier<MethodFixture> method) throws Exception {
    check("F3", IssuerFault.RATE_LIMITED, method);
  }

  /** <a href="RULES.md#f4">F4</a>: a 5xx gives a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f4_aServerErrorIsTransient(Supplier<MethodFixture> method) throws Exception {
    check("F4", IssuerFault.SERVER_ERROR, method);
  }

  /** <a href="RULES.md#f5">F5</a>: 400/401/403 give a permanent error after one issuer call, and no retry storm. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f5_aRefusalIsPermanentAndNotRetried(Supplier<MethodFixture> method) throws Exception {
    check("F5", IssuerFault.REJECTED, method);
  }

  /** <a href="RULES.md#f6">F6</a>: malformed or truncated JSON gives a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f6_malformedJsonIsTransient(Supplier<MethodFixture> method) throws Exception {
    check("F6", IssuerFault.MALFORMED, method);
  }

  /** <a href="RULES.md#f7">F7</a>: an answer without an access token gives a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f7_anAnswerWithoutATokenIsTransient(Supplier<MethodFixture> method) throws Exception {
    check("F7", IssuerFault.MISSING_TOKEN, method);
  }

  /** <a href="RULES.md#f8">F8</a>: a token that has already expired is refused with a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f8_anAlreadyExpiredTokenIsRefused(Supplier<MethodFixture> method) throws Exception {
    check("F8", IssuerFault.EXPIRED_TOKEN, method);
  }

  /** <a href="RULES.md#f9">F9</a>: a huge answer is cut off and gives a transient error. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f9_aHugeAnswerIsCutOff(Supplier<MethodFixture> method) throws Exception {
    check("F9", IssuerFault.HUGE_BODY, method);
  }

  /**
   * <a href="RULES.md#f10">F10</a>: a 429 whose {@code Retry-After} is huge, negative or not a number gives a prompt
   * transient error with a sane hint, and never wedges the credential.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f10_aHostileRetryAfterNeverWedgesTheCredential(Supplier<MethodFixture> method) throws Exception {
    for (String retryAfter : IssuerFault.HOSTILE_RETRY_AFTER) {
      hostileRetryAfter(retryAfter, method);
    }
  }

  /** <a href="RULES.md#f11">F11</a>: an answer that trickles in is cut off by one deadline for the whole exchange. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_f11_aTrickledAnswerIsCutOffByTheDeadline(Supplier<MethodFixture> method) throws Exception {
    check("F11", IssuerFault.TRICKLE, method);
  }

  // ---------------------------------------------------------------------------------------------------------

  private void hostileRetryAfter(String retryAfter, Supplier<MethodFixture> factory) throws Exception {
    String rule = "F10 (Retry-After: " + retryAfter + ")";
    MethodFixture fixture = Objects.requireNonNull(factory.get(), "hook methods(): a fixture factory returned null");
    try (fixture) {
      KitSupport.skipUnless(fixture.rateLimitWith(retryAfter), () -> "F10 cannot be checked: method "
          + fixture.method() + " has no issuer that can be made to answer 429 with Retry-After: " + retryAfter
          + " (hook rateLimitWith)");
      try (Run run = new Run(fixture)) {
        OptionalInt before = fixture.fetches();
        KitSupport.skipUnless(before.isPresent(), () -> "F10 cannot be checked: method " + fixture.method()
            + " injects faults but counts no issuer calls (hook fetches())");
        Throwable thrown = failure(rule, IssuerFault.RATE_LIMITED, run);
        int calls = calls(fixture, before, rule);
        assertThat(calls).as(rule + ": issuer calls for one request (the 429 must reach the issuer)").isPositive();
        assertThat(calls).as(rule + ": issuer calls for one request (a hint that cannot be honoured is no reason "
            + "for a retry storm)").isLessThanOrEqualTo(MAX_CALLS_PER_REQUEST);
        AuthException cause = KitSupport.authCause(thrown);
        assertThat(cause).as(rule + ": the failure must carry a TokenException (as a cause); got " + thrown)
            .isInstanceOf(TokenException.class);
        TokenException te = (TokenException) cause;
        assertThat(te.isPermanent()).as(rule + ": isPermanent() of a 429 (trying again later helps): "
            + te.getMessage()).isFalse();
        assertThat(te.code()).as(rule + ": code of a 429").isEqualTo(AuthException.TOKEN_UNAVAILABLE);
        assertThat(te.getMessage()).as(rule + ": the message must say what failed (matching "
            + IssuerFault.RATE_LIMITED.named() + ")").containsPattern(IssuerFault.RATE_LIMITED.named());
        Duration hint = te.retryAfter();
        if (hint != null) {
          assertThat(hint.isNegative()).as(rule + ": retryAfter() is " + hint + "; a hint that is not a usable "
              + "number of seconds is dropped (null), never negative").isFalse();
        }
        KitSupport.assertNoSecret(thrown, fixture.secrets(), rule + ": the failure");
        survivesARefreshThatFailsWith(rule, te);
        fixture.clearFaults();
        recovers(rule, IssuerFault.RATE_LIMITED, run);
      }
    }
  }

  /**
   * Fails a refresh ahead of a usable token in a token cache with {@code failure}, the method's own error, and
   * checks that the fetch ended: a caller who needs a new token gets one at once.
   */
  private static void survivesARefreshThatFailsWith(String rule, TokenException failure) {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    AtomicInteger calls = new AtomicInteger();
    TokenSource source = (request, reason) -> {
      int call = calls.incrementAndGet();
      return call == 2 ? CompletableFuture.failedFuture(failure) : CompletableFuture.completedFuture(
          AccessToken.of(Secret.of("f10-token-" + call), clock.instant().plus(Duration.ofHours(1))));
    };
    TokenKey key = TokenKey.of(source, TokenRequest.none());
    try (TokenCache cache = TokenCache.builder().clock(clock).executor(Runnable::run).build()) {
      AccessToken first = cache.get(key);
      now.addAndGet(Duration.ofMinutes(56).toMillis()); // inside the refresh window, still usable
      assertThat(cache.get(key)).as(rule + ": the token cache keeps serving the usable token").isSameAs(first);
      assertThat(calls.get()).as(rule + ": the refresh ahead ran and met the method's error").isEqualTo(2);
      cache.invalidate(key, first);
      CompletableFuture<AccessToken> next = cache.getAsync(key);
      assertThat(next).as(rule + ": after a refresh failed with retryAfter() = " + failure.retryAfter()
          + ", the token cache must start a new fetch for a caller without a token (it kept the failed one in "
          + "flight: the credential is wedged)").isDone();
      assertThat(next.join().value().reveal()).isEqualTo("f10-token-3");
    }
  }

  private void check(String rule, IssuerFault fault, Supplier<MethodFixture> factory) throws Exception {
    MethodFixture fixture = Objects.requireNonNull(factory.get(), "hook methods(): a fixture factory returned null");
    try (fixture) {
      KitSupport.skipUnless(fixture.injectFault(fault), () -> rule + " cannot be checked: method "
          + fixture.method() + " has no issuer that can be made to answer " + fault);
      try (Run run = new Run(fixture)) {
        OptionalInt before = fixture.fetches();
        KitSupport.skipUnless(before.isPresent(), () -> rule + " cannot be checked: method " + fixture.method()
            + " injects faults but counts no issuer calls (hook fetches())");
        Throwable thrown = failure(rule, fault, run);
        int first = calls(fixture, before, rule);
        assertThat(first).as(rule + ": issuer calls for one request meeting " + fault + " (the fault must reach "
            + "the issuer)").isPositive();
        if (fault.permanent()) {
          assertThat(first).as(rule + ": issuer calls for one request refused permanently (a refusal is never "
              + "retried)").isEqualTo(1);
        } else {
          assertThat(first).as(rule + ": issuer calls for one request meeting " + fault + " (retries are bounded)")
              .isLessThanOrEqualTo(MAX_CALLS_PER_REQUEST);
        }
        AuthException cause = KitSupport.authCause(thrown);
        assertThat(cause).as(rule + ": the failure must carry the AuthException (as a cause); got " + thrown)
            .isNotNull();
        assertThat(cause).as(rule + ": a token failure is a TokenException, which says whether retrying helps; got "
            + cause).isInstanceOf(TokenException.class);
        TokenException te = (TokenException) cause;
        if (fault.permanent()) {
          assertThat(te.isPermanent()).as(rule + ": isPermanent() of the failure for " + fault + " (retrying a "
              + "refusal cannot help): " + te.getMessage()).isTrue();
          assertThat(te.code()).as(rule + ": code of a refusal").isIn(AuthException.TOKEN_UNAVAILABLE,
              AuthException.OAUTH_REAUTH_REQUIRED);
        } else {
          assertThat(te.isPermanent()).as(rule + ": isPermanent() of the failure for " + fault + " (trying again "
              + "can help): " + te.getMessage()).isFalse();
          assertThat(te.code()).as(rule + ": code of a transient failure").isEqualTo(AuthException.TOKEN_UNAVAILABLE);
        }
        if (fault == IssuerFault.RATE_LIMITED) {
          assertThat(te.retryAfter()).as(rule + ": retryAfter() of a 429 that said Retry-After: "
              + IssuerFault.RETRY_AFTER.toSeconds()).isEqualTo(IssuerFault.RETRY_AFTER);
        }
        assertThat(te.getMessage()).as(rule + ": the message must say what failed (" + fault + ", matching "
            + fault.named() + ")").containsPattern(fault.named());
        assertThat(thrown.getMessage()).as(rule + ": the client's failure has a message").isNotBlank();
        KitSupport.assertNoSecret(thrown, fixture.secrets(), rule + ": the failure");
        assertThat(server().recorded()).as(rule + ": requests at the server without a token").isEmpty();

        if (fault.permanent()) {
          OptionalInt beforeSecond = fixture.fetches();
          Throwable again = failure(rule, fault, run);
          assertThat(calls(fixture, beforeSecond, rule)).as(rule + ": issuer calls for a second request after a "
              + "refusal (at most one: no retry storm)").isLessThanOrEqualTo(1);
          KitSupport.assertNoSecret(again, fixture.secrets(), rule + ": the second failure");
        }

        fixture.clearFaults();
        recovers(rule, fault, run);
      }
    }
  }

  /** Sends one request, expecting it to fail within the patience, and returns the failure unwrapped. */
  private Throwable failure(String rule, IssuerFault fault, Run run) throws Exception {
    Future<Integer> call = call(run);
    try {
      int status = call.get(patience().toMillis(), TimeUnit.MILLISECONDS);
      fail(rule + ": the request succeeded with status " + status + " although the issuer answered " + fault);
      throw new AssertionError("unreachable");
    } catch (TimeoutException e) {
      call.cancel(true);
      run.fixture.clearFaults();
      fail(rule + ": the request did not end within " + patience().toMillis() + " ms while the issuer answered "
          + fault + ": it hangs (the method needs timeouts on every issuer call)");
      throw new AssertionError("unreachable");
    } catch (ExecutionException e) {
      Throwable thrown = Futures.unwrap(e.getCause());
      assertThat(thrown).as(rule + ": the failure must be the client's own exception type")
          .isInstanceOf(driver().failureType());
      return thrown;
    }
  }

  private void recovers(String rule, IssuerFault fault, Run run) throws Exception {
    server().reset();
    Future<Integer> call = call(run);
    int status;
    try {
      status = call.get(patience().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      fail(rule + ": after the issuer recovered from " + fault + ", the next request did not end within "
          + patience().toMillis() + " ms");
      return;
    } catch (ExecutionException e) {
      fail(rule + ": after the issuer recovered from " + fault + ", the next request failed (the method or the "
          + "cache must not keep a failure): " + Futures.unwrap(e.getCause()));
      return;
    }
    assertThat(status).as(rule + ": status of the first request after the issuer recovered from " + fault)
        .isEqualTo(200);
    List<RecordedRequest> got = server().recorded();
    assertThat(got).as(rule + ": requests at the server after recovery").hasSize(1);
    String token = run.fixture.currentToken().reveal();
    if (!KitSupport.headersShow(got.get(0), List.of(dev.llmauth.api.Secret.of(token)))) {
      fail("hook MethodFixture.currentToken() of " + run.fixture.method() + " is broken: the request after "
          + "recovery did not carry it");
    }
  }

  private Future<Integer> call(Run run) {
    ExecutorService pool = Objects.requireNonNull(caller, "the suite was not started");
    return pool.submit(() -> {
      try (TestResponse r = Objects.requireNonNull(run.client.send(chat()), "hook AdapterDriver.Client.send "
          + "returned null")) {
        r.bodyText();
        return r.status();
      }
    });
  }

  private static int calls(MethodFixture fixture, OptionalInt before, String rule) {
    OptionalInt now = fixture.fetches();
    if (now.isEmpty()) {
      fail("hook MethodFixture.fetches() of " + fixture.method() + " is broken: it counted issuer calls before "
          + rule + "'s request and none after");
    }
    return now.getAsInt() - before.getAsInt();
  }

  private MockModelServer server() {
    return Objects.requireNonNull(server, "the suite was not started");
  }

  private AdapterDriver driver() {
    return Objects.requireNonNull(driver, "the suite was not started");
  }

  private TestRequest chat() {
    return TestRequest.postJson(server().url("/v1/chat/completions"), CHAT);
  }

  /** One test's configuration, credential and client, over a fixture whose fault is already injected. */
  private final class Run implements AutoCloseable {
    final MethodFixture fixture;
    final KitSupport.Context context;
    final AdapterDriver.Client client;

    Run(MethodFixture fixture) {
      this.fixture = fixture;
      URI base = server().url("/v1");
      ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl(base.toString());
      fixture.configure(b);
      ProviderConfig config = b.build();
      context = new KitSupport.Context(fixture.environment());
      Credential credential = fixture.credentialProvider().create(config, context);
      if (!fixture.method().equals(credential.method())) {
        fail("hook MethodFixture.method() is broken: it says " + fixture.method() + " but the credential says "
            + credential.method());
      }
      RequestAuthenticator authenticator = RequestAuthenticator.of(config, credential);
      client = Objects.requireNonNull(driver().open(authenticator), "hook AdapterDriver.open returned null");
    }

    @Override
    public void close() throws java.io.IOException {
      try {
        fixture.clearFaults();
        client.close();
      } finally {
        context.close();
      }
    }
  }
}
