package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite for HTTP adapters: rules A1 to A14 of {@code RULES.md}, each one test named after its rule;
 * A1 to A13 run once for every credential method that {@link #methods()} lists, A14 once, and the routing rules R1
 * to R4 once over {@link AdapterDriver#openRouting} (skipped when the driver cannot route).
 *
 * <p>Subclass it in your tests and supply the adapter; the suite starts a {@link MockModelServer} on loopback and
 * runs each rule with a fresh client and a fresh method fixture:
 *
 * <pre>{@code
 * class MyAdapterConformanceTest extends HttpAdapterVerification {
 *   @Override
 *   protected AdapterDriver adapter() {
 *     return new MyAdapterDriver();
 *   }
 * }
 * }</pre>
 *
 * <p>By default the rules run with the kit's {@link ScriptedMethod}, whose issuer the suite controls; override
 * {@link #methods()} to add real methods. A rule that cannot be checked for an adapter or method is reported as
 * skipped with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class HttpAdapterVerification {
  private static final String PROBE = "X-Conformance-Probe";
  private static final String DATA_HEADER = "X-Provider-Data";
  private static final String CHAT = "{\"model\":\"mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String STREAM_CHAT =
      "{\"model\":\"mock-model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final int CONCURRENT = 32;

  private @Nullable MockModelServer server;
  private @Nullable MockModelServer elsewhere;
  private @Nullable AdapterDriver driver;

  /** Creates the suite. */
  protected HttpAdapterVerification() {}

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
   * How long a rule waits for something that should happen promptly (a response head, the first streamed event,
   * requests queuing for a token) before it reports a failure. Never a performance limit.
   *
   * @return 30 seconds by default
   */
  protected Duration patience() {
    return Duration.ofSeconds(30);
  }

  @BeforeAll
  final void startKit() {
    driver = Objects.requireNonNull(adapter(), "hook adapter() returned null");
    server = new MockModelServer().start();
    elsewhere = new MockModelServer().start();
  }

  @AfterAll
  final void stopKit() {
    if (server != null) {
      server.close();
    }
    if (elsewhere != null) {
      elsewhere.close();
    }
  }

  @BeforeEach
  final void resetServer() {
    server().reset();
    if (elsewhere != null) {
      elsewhere.reset();
    }
  }

  private MockModelServer server() {
    return Objects.requireNonNull(server, "the suite was not started");
  }

  // ---------------------------------------------------------------------------------------------------------

  /** <a href="RULES.md#a1">A1</a>: the credential headers are written and conflicting ones removed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a1_writesCredentialHeadersAndRemovesConflictingOnes(Supplier<MethodFixture> method)
      throws Exception {
    try (Run run = new Run(method, b -> {})) {
      TestRequest request = chat().withHeader("Authorization", "Bearer caller-stale")
          .withHeader("api-key", "caller-stale").withHeader("x-api-key", "caller-stale")
          .withHeader(PROBE, "kept");
      run.sendOk(request);
      RecordedRequest got = single("A1");
      String token = run.fixture.currentToken().reveal();
      assertThat(got.headers("authorization")).as("A1: Authorization at the server")
          .containsExactly("Bearer " + token);
      assertThat(got.headers("api-key")).as("A1: a conflicting api-key header must be removed").isEmpty();
      assertThat(got.headers("x-api-key")).as("A1: a conflicting x-api-key header must be removed").isEmpty();
      assertThat(got.headers(PROBE)).as("A1: the caller's other headers must be kept").containsExactly("kept");
    }
  }

  /** <a href="RULES.md#a2">A2</a>: the caller's request object is never changed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a2_leavesTheCallersRequestUntouched(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      TestRequest request = chat().withHeader("Authorization", "Bearer caller-own").withHeader(PROBE, "kept");
      Map<String, List<String>> before = lowerCase(request.headers());
      try (TestResponse response = run.send(request)) {
        Map<String, List<String>> after = response.callerRequestHeaders();
        if (!after.containsKey(PROBE.toLowerCase(Locale.ROOT))) {
          fail("hook AdapterDriver.Client.send is broken: TestResponse.callerRequestHeaders() lacks the request's "
              + PROBE + " header; read the headers back from the request object the driver built");
        }
        assertThat(after).as("A2: the caller's request headers after the call (the adapter must authenticate a "
            + "copy)").isEqualTo(before);
      }
    }
  }

  /** <a href="RULES.md#a3">A3</a>: no token is fetched before the first request, and a cached one is reused. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a3_fetchesNoTokenBeforeTheFirstRequest(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      assertThat(run.counting.tokenCalls.get()).as("A3: token requests after building the client and before any "
          + "request").isZero();
      fetchesAre(run, 0, "A3: issuer calls after building the client and before any request");
      run.sendOk(chat());
      assertThat(run.counting.tokenCalls.get()).as("A3: token requests after the first request").isPositive();
      fetchesAre(run, 1, "A3: issuer calls after the first request");
      run.sendOk(chat());
      fetchesAre(run, 1, "A3: issuer calls after a second request (the token should come from the cache)");
    }
  }

  /** <a href="RULES.md#a4">A4</a>: many concurrent requests share one fetch. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a4_sharesOneFetchAmongConcurrentRequests(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      Runnable release = run.fixture.holdIssuer();
      KitSupport.skipUnless(release != null, () -> "A4 cannot be checked: method " + run.fixture.method()
          + " never waits for a token");
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
      try {
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
          calls.add(pool.submit(() -> {
            try (TestResponse r = run.send(chat())) {
              r.bodyText();
              return r.status();
            }
          }));
        }
        KitSupport.await(() -> run.counting.tokenCalls.get() >= CONCURRENT, patience(),
            () -> "A4: only " + run.counting.tokenCalls.get() + " of " + CONCURRENT
                + " concurrent requests asked for a token while the issuer was held");
        release.run();
        for (Future<Integer> call : calls) {
          assertThat(call.get(patience().toMillis(), TimeUnit.MILLISECONDS)).as("A4: status").isEqualTo(200);
        }
      } finally {
        release.run();
        pool.shutdownNow();
      }
      fetchesAre(run, 1, "A4: issuer calls for " + CONCURRENT + " concurrent requests");
      String expected = "Bearer " + run.fixture.currentToken().reveal();
      assertThat(server().recorded()).as("A4: requests at the server").hasSize(CONCURRENT)
          .allSatisfy(r -> assertThat(r.header("authorization")).isEqualTo(expected));
    }
  }

  /** <a href="RULES.md#a5">A5</a>: a 401 causes one refresh and one replay, and never a loop. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a5_on401RefreshesOnceReplaysOnceAndNeverLoops(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      run.sendOk(chat());
      Secret first = run.fixture.currentToken();
      OptionalInt before = run.fixture.fetches();
      boolean rotates = before.isPresent();
      server().reset();
      server().rejectToken(first.reveal());

      try (TestResponse response = run.send(chat().withHeader(PROBE, "replayed"))) {
        String body = response.bodyText();
        List<RecordedRequest> got = server().recorded();
        if (!rotates) {
          assertThat(response.status()).as("A5: a static credential cannot be replaced, so the 401 goes back to "
              + "the caller").isEqualTo(401);
          assertThat(got).as("A5: requests at the server for a static credential's 401 (no replay can help)")
              .hasSize(1);
        } else {
          assertThat(got).as("A5: requests at the server: the rejected one and one replay").hasSize(2);
          String second = got.get(1).header("authorization");
          if (("Bearer " + first.reveal()).equals(second)) {
            fail("hook MethodFixture of " + run.fixture.method() + " is broken, or the adapter did not invalidate "
                + "the rejected token: the replay carried the rejected token again");
          }
          assertThat(got.get(1).bodyText()).as("A5: the replayed body").isEqualTo(got.get(0).bodyText());
          assertThat(got.get(1).headers(PROBE)).as("A5: the replay keeps the caller's headers")
              .containsExactly("replayed");
          assertThat(response.status()).as("A5: status after the replay (body: " + body + ")").isEqualTo(200);
          fetchesAre(run, before.getAsInt() + 1, "A5: issuer calls caused by one 401");
        }
      }

      server().reset();
      server().rejectAll(true);
      OptionalInt beforeLoop = run.fixture.fetches();
      try (TestResponse response = run.send(chat())) {
        response.bodyText();
        assertThat(response.status()).as("A5: a second 401 must reach the caller").isEqualTo(401);
      }
      assertThat(server().recorded()).as("A5: requests at the server when every token is rejected (at most one "
          + "replay, never a loop)").hasSize(rotates ? 2 : 1);
      if (rotates) {
        fetchesAre(run, beforeLoop.getAsInt() + 1, "A5: issuer calls when every token is rejected");
      }
    }
  }

  /** <a href="RULES.md#a6">A6</a>: a body that can be sent only once is never replayed. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void optional_a6_neverReplaysAOneShotBody(Supplier<MethodFixture> method) throws Exception {
    KitSupport.skipUnless(driver().supportsOneShotBodies(),
        () -> "A6 cannot be checked: adapter " + driver().name() + " has no one-shot request bodies");
    try (Run run = new Run(method, b -> {})) {
      run.sendOk(chat());
      KitSupport.skipUnless(run.fixture.fetches().isPresent(), () -> "A6 cannot be checked: method "
          + run.fixture.method() + " never replaces its token, so nothing is replayed anyway");
      server().reset();
      server().rejectToken(run.fixture.currentToken().reveal());
      try (TestResponse response = run.send(chat().withOneShotBody())) {
        response.bodyText();
        assertThat(response.status()).as("A6: a 401 for a one-shot body goes back to the caller").isEqualTo(401);
      }
      assertThat(server().recorded()).as("A6: requests at the server for a one-shot body").hasSize(1);
    }
  }

  /** <a href="RULES.md#a7">A7</a>: cancelling a call ends its wait for a token, and it is never sent. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a7_cancellingACallEndsItsWaitForAToken(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      Runnable release = run.fixture.holdIssuer();
      KitSupport.skipUnless(release != null, () -> "A7 cannot be checked: method " + run.fixture.method()
          + " never waits for a token");
      try {
        CompletableFuture<TestResponse> pending = run.client.sendAsync(chat().withHeader(PROBE, "cancelled"));
        KitSupport.skipUnless(pending != null, () -> "A7 cannot be checked: adapter " + driver().name()
            + " has no asynchronous call");
        KitSupport.await(() -> run.counting.tokenCalls.get() >= 1, patience(),
            () -> "A7: the asynchronous call never asked for a token");
        pending.cancel(true);
        release.run();
        try {
          TestResponse r = pending.get(patience().toMillis(), TimeUnit.MILLISECONDS);
          r.close();
          fail("A7: a call cancelled while waiting for a token completed with status " + r.status());
        } catch (TimeoutException e) {
          fail("A7: a call cancelled while waiting for a token never completed");
        } catch (Exception expected) {
          // cancelled or failed: both end the wait
        }
        run.sendOk(chat().withHeader(PROBE, "after"));
        // A call that ignored its cancellation goes out as the token arrives; watch for it a little longer.
        long until = System.nanoTime() + Math.min(patience().toNanos(), Duration.ofSeconds(1).toNanos());
        do {
          assertThat(server().recorded(r -> "cancelled".equals(r.header(PROBE))))
              .as("A7: a call cancelled while waiting for a token must never be sent").isEmpty();
          Thread.sleep(10);
        } while (System.nanoTime() - until < 0);
      } finally {
        release.run();
      }
    }
  }

  /** <a href="RULES.md#a8">A8</a>: streamed responses (server-sent events) pass through untouched. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a8_passesStreamedResponsesThroughUntouched(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> {})) {
      server().holdStreams();
      TestRequest request = TestRequest.postJson(server().url("/v1/chat/completions"), STREAM_CHAT);
      CompletableFuture<TestResponse> head = CompletableFuture.supplyAsync(() -> {
        try {
          return run.send(request);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      TestResponse streamed;
      try {
        streamed = head.get(patience().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        server().releaseStreams();
        fail("A8: the response head did not reach the caller while the server held the stream open after its "
            + "first event: the adapter buffers streamed responses");
        return;
      }
      try (TestResponse response = streamed) {
        assertThat(response.status()).as("A8: status of a streamed response").isEqualTo(200);
        assertThat(response.header("content-type")).as("A8: content type of a streamed response")
            .startsWith("text/event-stream");
        InputStream in = response.body();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readEvent(in));
        String event;
        try {
          event = first.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          server().releaseStreams();
          fail("A8: the first event did not reach the caller while the server held the stream open: the adapter "
              + "buffers streamed responses");
          return;
        }
        server().releaseStreams();
        String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Matcher id = Pattern.compile("chatcmpl-mock-(\\d+)").matcher(event);
        assertThat(id.find()).as("A8: the first event is a chat completion chunk: " + event).isTrue();
        String expected = String.join("", MockModelServer.chatEvents(Integer.parseInt(id.group(1)), "mock-model"));
        assertThat(event + rest).as("A8: the streamed body, byte for byte").isEqualTo(expected);
      }
    }
  }

  /** <a href="RULES.md#a9">A9</a>: an Azure OpenAI key goes in the {@code api-key} header only. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void optional_a9_sendsAzureKeysInTheApiKeyHeader(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> b.type(ProviderType.AZURE_OPENAI))) {
      KitSupport.skipUnless(run.fixture.sendsApiKeyHeaderOnAzure(), () -> "A9 cannot be checked: method "
          + run.fixture.method() + " sends bearer tokens to Azure OpenAI");
      run.sendOk(chat().withHeader("Authorization", "Bearer caller-stale").withHeader("api-key", "caller-stale")
          .withHeader("x-api-key", "caller-stale"));
      RecordedRequest got = single("A9");
      assertThat(got.headers("api-key")).as("A9: api-key at the server")
          .containsExactly(run.fixture.currentToken().reveal());
      assertThat(got.headers("authorization")).as("A9: no Authorization with an Azure key").isEmpty();
      assertThat(got.headers("x-api-key")).as("A9: a conflicting x-api-key header must be removed").isEmpty();
    }
  }

  /** <a href="RULES.md#a10">A10</a>: the token is merged into the provider-data header's JSON object. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a10_mergesTheTokenIntoTheProviderDataHeader(Supplier<MethodFixture> method) throws Exception {
    try (Run run = new Run(method, b -> b.providerDataHeader(DATA_HEADER))) {
      String[] existing = {"{\"region\":\"eu\",\"n\":1}", "\"just a string\"", "[1,2]", "not json", null};
      for (String value : existing) {
        server().reset();
        TestRequest request = chat().withHeader("Authorization", "Bearer caller-stale");
        run.sendOk(value == null ? request : request.withHeader(DATA_HEADER, value));
        RecordedRequest got = single("A10");
        assertThat(got.headers(DATA_HEADER)).as("A10: exactly one " + DATA_HEADER + " (sent: " + value + ")")
            .hasSize(1);
        assertThat(got.headers("authorization")).as("A10: no Authorization with a provider-data header").isEmpty();
        String header = got.header(DATA_HEADER);
        JsonElement parsed = JsonParser.parseString(header);
        assertThat(parsed.isJsonObject()).as("A10: " + DATA_HEADER + " must be a JSON object: " + header).isTrue();
        JsonObject o = parsed.getAsJsonObject();
        assertThat(o.has("azure_api_key") ? o.get("azure_api_key").getAsString() : null).as("A10: azure_api_key")
            .isEqualTo(run.fixture.currentToken().reveal());
        assertThat(o.has("azure_api_base") ? o.get("azure_api_base").getAsString() : null)
            .as("A10: azure_api_base").isEqualTo(run.config.providerDataBase());
        if (value != null && value.startsWith("{")) {
          assertThat(o.get("region").getAsString()).as("A10: other keys are kept").isEqualTo("eu");
          assertThat(o.get("n").getAsInt()).as("A10: other keys are kept").isEqualTo(1);
          assertThat(o.size()).as("A10: keys of the merged object").isEqualTo(4);
        } else {
          assertThat(o.size()).as("A10: a value that is not a JSON object is replaced (sent: " + value + ")")
              .isEqualTo(2);
        }
      }
    }
    // The provider's static value of the header is the object merged into when the request has none, and
    // providerDataApiBase, when set, is the azure_api_base.
    String backend = "https://backend.openai.azure.example/openai/v1";
    try (Run run = new Run(method, b -> b.providerDataHeader(DATA_HEADER).providerDataApiBase(backend)
        .headers(Map.of(DATA_HEADER.toLowerCase(Locale.ROOT), "{\"azure_api_version\":\"2024-06-01\"}")))) {
      for (String value : new String[] {null, "{\"mine\":true}"}) {
        server().reset();
        TestRequest request = chat();
        run.sendOk(value == null ? request : request.withHeader(DATA_HEADER, value));
        RecordedRequest got = single("A10");
        assertThat(got.headers(DATA_HEADER)).as("A10: exactly one " + DATA_HEADER + " with a static value of it")
            .hasSize(1);
        JsonObject o = JsonParser.parseString(got.header(DATA_HEADER)).getAsJsonObject();
        assertThat(o.has("azure_api_key") ? o.get("azure_api_key").getAsString() : null)
            .as("A10: azure_api_key with a static value of the header").isEqualTo(run.fixture.currentToken().reveal());
        assertThat(o.has("azure_api_base") ? o.get("azure_api_base").getAsString() : null)
            .as("A10: azure_api_base with providerDataApiBase set").isEqualTo(backend);
        if (value == null) {
          assertThat(o.keySet()).as("A10: without a request value, the static value is merged into")
              .containsExactlyInAnyOrder("azure_api_version", "azure_api_key", "azure_api_base");
        } else {
          assertThat(o.keySet()).as("A10: the request's own value wins over the static one")
              .containsExactlyInAnyOrder("mine", "azure_api_key", "azure_api_base");
        }
      }
    }
  }

  /** <a href="RULES.md#a11">A11</a>: a credential failure is the client's own error, clear and without secrets. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a11_reportsCredentialFailuresClearlyAndWithoutSecrets(Supplier<MethodFixture> method)
      throws Exception {
    try (Run run = new Run(method, b -> {})) {
      run.sendOk(chat());
      Secret token = run.fixture.currentToken();
      KitSupport.skipUnless(run.fixture.failIssuer(), () -> "A11 cannot be checked: method "
          + run.fixture.method() + " has no issuer that can fail");
      server().rejectToken(token.reveal());
      Throwable thrown = null;
      try (TestResponse r = run.send(chat())) {
        fail("A11: the request succeeded with status " + r.status() + " although no new token could be obtained");
      } catch (Exception e) {
        thrown = Futures.unwrap(e);
      }
      assertThat(thrown).as("A11: the failure must be the client's own exception type")
          .isInstanceOf(driver().failureType());
      AuthException cause = KitSupport.authCause(thrown);
      assertThat(cause).as("A11: the failure must carry the AuthException (as a cause) so callers can read its "
          + "code(); got " + thrown).isNotNull();
      assertThat(thrown.getMessage()).as("A11: the failure's message").isNotBlank();
      KitSupport.assertNoSecret(thrown, KitSupport.secrets(run.fixture.secrets(), token), "A11: the failure");
    }
  }

  /** <a href="RULES.md#a12">A12</a>: apart from the credential headers, request and response pass unchanged. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a12_forwardsRequestsAndResponsesOtherwiseUnchanged(Supplier<MethodFixture> method)
      throws Exception {
    try (Run run = new Run(method, b -> {})) {
      String json = "{\"model\":\"mock-model\",\"input\":\"caf\u00e9 \u2615\"}";
      TestRequest request = TestRequest.postJson(server().url("/v1/responses?api-version=2025-01-01"), json);
      try (TestResponse response = run.send(request)) {
        assertThat(response.status()).as("A12: status").isEqualTo(200);
        assertThat(response.header("content-type")).as("A12: content type").startsWith("application/json");
        JsonObject o = JsonParser.parseString(response.bodyText()).getAsJsonObject();
        assertThat(o.get("object").getAsString()).as("A12: the response body").isEqualTo("response");
      }
      RecordedRequest got = single("A12");
      assertThat(got.method()).as("A12: method").isEqualTo("POST");
      assertThat(got.uri().toString()).as("A12: path and query").isEqualTo("/v1/responses?api-version=2025-01-01");
      assertThat(got.bodyText()).as("A12: body").isEqualTo(json);
      server().reset();
      try (TestResponse response = run.send(new TestRequest("GET", server().url("/v1/chat/completions"), Map.of(),
          null, false))) {
        assertThat(response.status()).as("A12: an error status reaches the caller").isEqualTo(405);
        assertThat(response.bodyText()).as("A12: the error body reaches the caller").contains("use POST");
      }
    }
  }

  /** <a href="RULES.md#a13">A13</a>: the credential never follows a redirect to another host. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void required_a13_neverSendsTheCredentialAlongARedirectToAnotherHost(Supplier<MethodFixture> method)
      throws Exception {
    // The credential travels in Authorization, in api-key (Azure OpenAI keys) or in the provider-data header.
    Map<String, Consumer<ProviderConfig.Builder>> providers = new java.util.LinkedHashMap<>();
    providers.put("openai", b -> {});
    providers.put("azure-openai", b -> b.type(ProviderType.AZURE_OPENAI));
    providers.put("with a provider-data header", b -> b.providerDataHeader(DATA_HEADER));
    for (Map.Entry<String, Consumer<ProviderConfig.Builder>> provider : providers.entrySet()) {
      try (Run run = new Run(method, provider.getValue())) {
        redirectsLeaveTheCredentialBehind(run, provider.getKey());
      }
    }
  }

  private void redirectsLeaveTheCredentialBehind(Run run, String provider) throws Exception {
    MockModelServer other = Objects.requireNonNull(elsewhere, "the suite was not started");
    // Both servers listen on 127.0.0.1; "localhost" makes the redirect target another host for the client.
    URI otherHost = URI.create("http://localhost:" + other.port());
    for (int status : new int[] {307, 302}) {
      server().reset();
      other.reset();
      server().redirectTo(status, otherHost);
      int answered;
      try (TestResponse response = run.send(chat().withHeader(PROBE, "redirected-" + status))) {
        response.bodyText();
        answered = response.status();
      }
      RecordedRequest sent = single("A13");
      Secret token = run.fixture.currentToken();
      if (!KitSupport.headersShow(sent, List.of(token))) {
        fail("hook MethodFixture.currentToken() of " + run.fixture.method() + " is broken: the request to the "
            + "provider's own host did not carry it");
      }
      String what = "a " + status + " redirect from " + server().url() + " to " + otherHost + " (another host), "
          + "provider " + provider;
      List<RecordedRequest> followed = other.recorded();
      if (followed.isEmpty()) {
        assertThat(answered).as("A13: " + what + " that the client does not follow goes back to the caller")
            .isEqualTo(status);
      }
      List<Secret> secrets = KitSupport.secrets(run.fixture.secrets(), token);
      for (RecordedRequest r : followed) {
        assertThat(r.headers("authorization")).as("A13: Authorization on " + what).isEmpty();
        if (KitSupport.headersShow(r, secrets)) {
          fail("A13: " + what + " carried the credential in a header: " + r.headers().keySet());
        }
      }
    }
  }

  /** <a href="RULES.md#a14">A14</a>: a token the client cannot carry fails the call without showing it. */
  @Test
  void required_a14_refusesATokenTheClientCannotCarryWithoutShowingIt() throws Exception {
    String secret = "sk-a14-" + Long.toHexString(System.nanoTime());
    Map<String, Consumer<ProviderConfig.Builder>> styles = new java.util.LinkedHashMap<>();
    styles.put("Authorization", b -> {});
    styles.put("api-key", b -> b.type(ProviderType.AZURE_OPENAI));
    styles.put("a provider-data header", b -> b.providerDataHeader(DATA_HEADER));
    for (Map.Entry<String, Consumer<ProviderConfig.Builder>> style : styles.entrySet()) {
      // JSON escapes control characters, so only a character outside ASCII is unsendable in provider data.
      List<String> bad = style.getKey().startsWith("a provider") ? List.of("\u200b") : List.of("\u200b", "\r\nX-A14: 1");
      for (String character : bad) {
        server().reset();
        ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl(server().url("/v1").toString());
        style.getValue().accept(b);
        ProviderConfig config = b.build();
        Secret token = Secret.of(secret + character + "-a14tail");
        Credential credential = new UnsendableToken(token, style.getKey().equals("api-key")
            ? Credential.TokenUse.API_KEY_HEADER : Credential.TokenUse.BEARER);
        String what = "A14: a token with U+" + String.format(Locale.ROOT, "%04X", (int) character.charAt(0)) + " in "
            + style.getKey();
        Throwable thrown = null;
        try (AdapterDriver.Client client = Objects.requireNonNull(driver().open(RequestAuthenticator.of(config,
            credential)), "hook AdapterDriver.open returned null"); TestResponse r = client.send(chat())) {
          fail(what + " was sent (status " + r.status() + "); the adapter must fail the call instead of sending an "
              + "altered credential");
        } catch (Exception e) {
          thrown = Futures.unwrap(e);
        }
        assertThat(thrown).as(what + ": the failure must be the client's own exception type")
            .isInstanceOf(driver().failureType());
        assertThat(thrown.getMessage()).as(what + ": the failure's message").isNotBlank();
        KitSupport.assertNoSecret(thrown, List.of(token, Secret.of(secret)), what + ": the failure");
        assertThat(server().recorded()).as(what + ": requests at the server").isEmpty();
      }
    }
  }

  /** A credential whose only token has a character no HTTP header can carry, as a faulty issuer might return. */
  private static final class UnsendableToken implements Credential {
    private final AccessToken token;
    private final TokenUse use;

    UnsendableToken(Secret value, TokenUse use) {
      this.token = AccessToken.nonExpiring(value);
      this.use = use;
    }

    @Override
    public String method() {
      return "unsendable";
    }

    @Override
    public TokenUse use() {
      return use;
    }

    @Override
    public String describe() {
      return "a token with a character no HTTP header can carry";
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      return CompletableFuture.completedFuture(token);
    }

    @Override
    public boolean invalidate(AccessToken rejected) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Routing: one client, several providers, chosen per request.

  private static final String ROUTE_PROBE = "X-Conformance-Route";

  /** <a href="RULES.md#r1">R1</a>: each request is authenticated for the provider it names. */
  @Test
  void required_r1_routesEachRequestToTheProviderItNames() throws Exception {
    try (Routing routing = new Routing(null)) {
      for (String provider : new String[] {"alpha", "beta", "alpha"}) {
        server().reset();
        routing.sendOk(chat(), provider);
        RecordedRequest got = single("R1");
        assertThat(got.headers(ROUTE_PROBE)).as("R1: the static header of the provider the request named (" + provider
            + ")").containsExactly(provider);
        assertThat(got.header("authorization")).as("R1: the credential of the provider the request named")
            .isEqualTo("Bearer " + provider + "-token-1");
        assertThat(got.headers(ProviderRouter.HEADER)).as("R1: the routing header " + ProviderRouter.HEADER
            + " must never reach the server").isEmpty();
      }
      assertThat(routing.alpha.fetches.get()).as("R1: alpha's token fetches (cached after the first)").isEqualTo(1);
      assertThat(routing.beta.fetches.get()).as("R1: beta's token fetches").isEqualTo(1);
    }
  }

  /** <a href="RULES.md#r2">R2</a>: a request naming an unknown provider fails before anything is sent. */
  @Test
  void required_r2_anUnknownProviderFailsBeforeAnythingIsSentNamingIt() throws Exception {
    try (Routing routing = new Routing("alpha")) {
      Throwable failure = routing.failure(chat(), "gamma-unknown");
      assertThat(failure).as("R2: a request naming an unknown provider must fail")
          .isInstanceOf(driver().failureType());
      assertThat(KitSupport.messages(failure)).as("R2: the failure names the unknown provider")
          .contains("gamma-unknown");
      assertThat(server().recorded()).as("R2: requests at the server for an unknown provider").isEmpty();
      assertThat(routing.alpha.fetches.get() + routing.beta.fetches.get())
          .as("R2: token fetches for an unknown provider (the default must not be used)").isZero();
    }
  }

  /** <a href="RULES.md#r3">R3</a>: a request naming no provider gets the default, or fails when there is none. */
  @Test
  void required_r3_aRequestNamingNoProviderGetsTheDefaultOrFails() throws Exception {
    try (Routing routing = new Routing("beta")) {
      routing.sendOk(chat(), null);
      RecordedRequest got = single("R3");
      assertThat(got.headers(ROUTE_PROBE)).as("R3: a request naming no provider goes to the default (beta)")
          .containsExactly("beta");
      assertThat(got.header("authorization")).as("R3: the default's credential").isEqualTo("Bearer beta-token-1");
    }
    server().reset();
    try (Routing routing = new Routing(null)) {
      Throwable failure = routing.failure(chat(), null);
      assertThat(failure).as("R3: without a default, a request naming no provider must fail")
          .isInstanceOf(driver().failureType());
      assertThat(KitSupport.messages(failure)).as("R3: the failure says that no provider was named")
          .contains("names no provider");
      assertThat(server().recorded()).as("R3: requests at the server when no provider could be chosen").isEmpty();
      assertThat(routing.alpha.fetches.get() + routing.beta.fetches.get())
          .as("R3: token fetches when no provider could be chosen").isZero();
    }
  }

  /** <a href="RULES.md#r4">R4</a>: a 401 is handled by the provider the request was routed to, as in A5. */
  @Test
  void required_r4_a401IsHandledByTheRoutedProviderAlone() throws Exception {
    try (Routing routing = new Routing(null)) {
      routing.sendOk(chat(), "alpha");
      server().reset();
      server().rejectToken("beta-token-1");
      try (TestResponse response = routing.client.send(chat().withHeader(PROBE, "replayed"), "beta")) {
        String body = response.bodyText();
        List<RecordedRequest> got = server().recorded();
        assertThat(got).as("R4: requests at the server: the rejected one and one replay").hasSize(2);
        assertThat(got).as("R4: both went to beta").allSatisfy(r ->
            assertThat(r.headers(ROUTE_PROBE)).containsExactly("beta"));
        assertThat(got.get(1).header("authorization")).as("R4: the replay carries beta's new token")
            .isEqualTo("Bearer beta-token-2");
        assertThat(got.get(1).headers(PROBE)).as("R4: the replay keeps the caller's headers")
            .containsExactly("replayed");
        assertThat(response.status()).as("R4: status after the replay (body: " + body + ")").isEqualTo(200);
      }
      assertThat(routing.beta.invalidations.get()).as("R4: beta's invalidations").isEqualTo(1);
      assertThat(routing.alpha.invalidations.get()).as("R4: alpha's invalidations (its token was not rejected)")
          .isZero();
      server().reset();
      routing.sendOk(chat(), "alpha");
      assertThat(single("R4").header("authorization")).as("R4: alpha keeps its token").isEqualTo("Bearer alpha-token-1");
    }
  }

  /** Two providers, alpha and beta, each with its own rotating credential and a static header naming it. */
  private final class Routing implements AutoCloseable {
    final RoutedCredential alpha = new RoutedCredential("alpha");
    final RoutedCredential beta = new RoutedCredential("beta");
    final AdapterDriver.RoutingClient client;

    Routing(@Nullable String defaultProvider) {
      List<RequestAuthenticator> authenticators = new ArrayList<>();
      for (RoutedCredential c : List.of(alpha, beta)) {
        authenticators.add(RequestAuthenticator.of(ProviderConfig.builder(c.prefix)
            .baseUrl(server().url("/v1").toString()).headers(Map.of(ROUTE_PROBE, c.prefix)).build(), c));
      }
      AdapterDriver.RoutingClient opened = driver().openRouting(ProviderRouter.of(authenticators, defaultProvider));
      KitSupport.skipUnless(opened != null, () -> "routing cannot be checked: adapter " + driver().name()
          + " has no AdapterDriver.openRouting");
      client = Objects.requireNonNull(opened);
    }

    void sendOk(TestRequest request, @Nullable String provider) throws Exception {
      try (TestResponse r = Objects.requireNonNull(client.send(request, provider),
          "hook AdapterDriver.RoutingClient.send returned null")) {
        String body = r.bodyText();
        assertThat(r.status()).as("status of a request routed to " + provider + " (body: " + body + ")")
            .isEqualTo(200);
      }
    }

    Throwable failure(TestRequest request, @Nullable String provider) {
      try (TestResponse r = client.send(request, provider)) {
        return fail("the request naming " + (provider == null ? "no provider" : "provider " + provider)
            + " was sent and answered " + r.status());
      } catch (Throwable t) {
        return t;
      }
    }

    @Override
    public void close() throws java.io.IOException {
      client.close();
    }
  }

  /** Hands out {@code <prefix>-token-1}, {@code -2}, …: a new one after each invalidation of the current one. */
  private static final class RoutedCredential implements Credential {
    final String prefix;
    final java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger invalidations = new java.util.concurrent.atomic.AtomicInteger();
    private @Nullable AccessToken current;

    RoutedCredential(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public String method() {
      return "routed";
    }

    @Override
    public TokenUse use() {
      return TokenUse.BEARER;
    }

    @Override
    public String describe() {
      return "the conformance kit's routed credential " + prefix;
    }

    @Override
    public synchronized CompletableFuture<AccessToken> token() {
      AccessToken t = current;
      if (t == null) {
        t = AccessToken.nonExpiring(Secret.of(prefix + "-token-" + fetches.incrementAndGet()));
        current = t;
      }
      return CompletableFuture.completedFuture(t);
    }

    @Override
    public synchronized boolean invalidate(AccessToken token) {
      invalidations.incrementAndGet();
      if (current != null && current.value().equals(token.value())) {
        current = null;
      }
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private AdapterDriver driver() {
    return Objects.requireNonNull(driver, "the suite was not started");
  }

  private TestRequest chat() {
    return TestRequest.postJson(server().url("/v1/chat/completions"), CHAT);
  }

  private RecordedRequest single(String rule) {
    List<RecordedRequest> got = server().recorded();
    assertThat(got).as(rule + ": requests at the server for one call").hasSize(1);
    return got.get(0);
  }

  private static void fetchesAre(Run run, int expected, String what) {
    OptionalInt fetches = run.fixture.fetches();
    if (fetches.isPresent()) {
      assertThat(fetches.getAsInt()).as(what).isEqualTo(expected);
    }
  }

  private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> m = new java.util.LinkedHashMap<>();
    headers.forEach((k, v) -> m.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
    return m;
  }

  /** Reads one server-sent event, up to and including its blank line. */
  private static String readEvent(InputStream in) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int previous = -1;
      int b;
      while ((b = in.read()) != -1) {
        out.write(b);
        if (b == '\n' && previous == '\n') {
          break;
        }
        previous = b;
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One test's fixture, configuration, credential and client. */
  private final class Run implements AutoCloseable {
    final MethodFixture fixture;
    final ProviderConfig config;
    final KitSupport.Context context;
    final KitSupport.CountingCredential counting;
    final AdapterDriver.Client client;

    Run(Supplier<MethodFixture> factory, Consumer<ProviderConfig.Builder> customize) {
      fixture = Objects.requireNonNull(factory.get(), "hook methods(): a fixture factory returned null");
      URI base = server().url("/v1");
      ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl(base.toString());
      customize.accept(b);
      fixture.configure(b);
      config = b.build();
      context = new KitSupport.Context(fixture.environment());
      Credential credential = fixture.credentialProvider().create(config, context);
      if (!fixture.method().equals(credential.method())) {
        fail("hook MethodFixture.method() is broken: it says " + fixture.method() + " but the credential says "
            + credential.method());
      }
      counting = new KitSupport.CountingCredential(credential);
      RequestAuthenticator authenticator = RequestAuthenticator.of(config, counting);
      client = Objects.requireNonNull(driver().open(authenticator), "hook AdapterDriver.open returned null");
    }

    TestResponse send(TestRequest request) throws Exception {
      return Objects.requireNonNull(client.send(request), "hook AdapterDriver.Client.send returned null");
    }

    void sendOk(TestRequest request) throws Exception {
      try (TestResponse r = send(request)) {
        String body = r.bodyText();
        assertThat(r.status()).as("status of an authenticated request (body: " + body + ")").isEqualTo(200);
      }
    }

    @Override
    public void close() throws java.io.IOException {
      try {
        client.close();
      } finally {
        fixture.close();
        context.close();
      }
    }
  }
}
