package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockIdentityServer.AnswerStyle;
import dev.llmauth.conformance.mock.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The identity endpoint misbehaving, end to end through MSAL4J in a JVM of its own ({@link EntraChild}). MSAL's
 * retry pauses are shortened through its own test hook ({@code msal-delay 1}); which statuses it retries and how
 * often stays MSAL's, and each test counts the identity calls. Every failure must be typed, say what failed and how
 * to fix it, carry no secret, and leave the next request free to succeed once the endpoint recovers.
 */
class IdentityFaultsTest {
  private final MockIdentityServer mock = new MockIdentityServer().start();

  @AfterEach
  void stop() {
    mock.close();
  }

  private Map<String, String> env(boolean appService) {
    Map<String, String> env = new HashMap<>(appService ? mock.appServiceEnvironment() : mock.imdsEnvironment());
    env.put("MOCK_IDENTITY_CONFIGURE", mock.url("/__control/configure").toString());
    return env;
  }

  private ChildJvm.Output run(Map<String, String> env, String provider, String... commands) throws Exception {
    List<String> args = new ArrayList<>();
    args.add(provider);
    args.addAll(List.of("msal-delay", "1"));
    args.addAll(List.of(commands));
    ChildJvm.Output out = ChildJvm.run(env, List.of(), EntraChild.class, args.toArray(String[]::new));
    assertThat(out.exitCode()).as("child stderr: %s", out.stderr()).isZero();
    assertNoSecrets(out);
    return out;
  }

  /** Neither the identity header nor any issued token appears in what the child printed or logged. */
  private void assertNoSecrets(ChildJvm.Output out) {
    String all = String.join("\n", out.lines()) + "\n" + out.stderr();
    assertThat(all).doesNotContain(mock.identityHeader());
    for (String token : mock.issuedTokens()) {
      assertThat(all).doesNotContain(token);
    }
  }

  private String lastIssued() {
    List<String> issued = mock.issuedTokens();
    return EntraChild.fp(issued.get(issued.size() - 1));
  }

  private static String[] repeat(String command, int times) {
    String[] out = new String[times];
    java.util.Arrays.fill(out, command);
    return out;
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  @DisplayName("App Service: 404, 408, 429, 500, 503, 504 are retried 3 times by MSAL (4 calls), then a transient error")
  void appServiceRetriedStatuses() throws Exception {
    List<Integer> statuses = List.of(404, 408, 429, 500, 503, 504);
    for (int status : statuses) {
      for (int k = 0; k < 4; k++) {
        mock.enqueue(status == 429 ? Fault.status(429, Duration.ofSeconds(7)) : Fault.status(status));
      }
    }
    // Three failures then a good answer: one fetch, served after MSAL's retries.
    mock.enqueue(Fault.status(503)).enqueue(Fault.status(503)).enqueue(Fault.status(503));
    ChildJvm.Output out = run(env(true), "mi", concat(repeat("fail", statuses.size()), "authorize", "20", "4"));
    List<String> fails = out.out("fail");
    assertThat(fails).hasSize(statuses.size());
    for (int i = 0; i < statuses.size(); i++) {
      int status = statuses.get(i);
      assertThat(fails.get(i)).startsWith("token_unavailable permanent=false retryAfter="
              + (status == 429 ? "PT7S" : "null"))
          .contains("managed identity (system-assigned) via App Service at " + mock.appServiceEndpoint())
          .contains("answered HTTP " + status + " (managed_identity_request_failed) after 4 attempts")
          .contains("check that a managed identity is enabled on the App Service");
    }
    assertThat(mock.tokenRequests()).hasSize(statuses.size() * 4 + 4);
    assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
  }

  @Test
  @DisplayName("App Service: 400, 401, 403 are permanent and 410, 502 transient, all without a retry (1 call each)")
  void appServiceNotRetried() throws Exception {
    List<Integer> statuses = List.of(400, 401, 403, 410, 502);
    statuses.forEach(s -> mock.enqueue(Fault.status(s)));
    ChildJvm.Output out = run(env(true), "mi;clientId=abc", concat(repeat("fail", statuses.size()), "authorize", "3",
        "1"));
    List<String> fails = out.out("fail");
    for (int i = 0; i < statuses.size(); i++) {
      int status = statuses.get(i);
      boolean permanent = status == 400 || status == 401 || status == 403;
      assertThat(fails.get(i)).startsWith("token_unavailable permanent=" + permanent)
          .contains("answered HTTP " + status + " (")
          .doesNotContain("attempts")
          .contains("the user-assigned identity with this clientId is attached");
    }
    assertThat(mock.tokenRequests()).hasSize(statuses.size() + 1);
    assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
  }

  @Test
  @DisplayName("IMDS: every 5xx (502 too), 404, 408, 429 get 3 retries (4 calls); 410 gets 7 (8 calls); 4xx none")
  void imdsStatuses() throws Exception {
    List<Integer> retried = List.of(500, 502, 503, 504, 404, 408, 429);
    List<Integer> once = List.of(400, 401, 403);
    for (int status : retried) {
      for (int k = 0; k < 4; k++) {
        mock.enqueue(status == 429 ? Fault.status(429, Duration.ofSeconds(9)) : Fault.status(status));
      }
    }
    for (int k = 0; k < 8; k++) {
      mock.enqueue(Fault.status(410));
    }
    once.forEach(s -> mock.enqueue(Fault.status(s)));
    // 410 six times, then a good answer: IMDS is still starting up, and the fetch succeeds within its retries.
    for (int k = 0; k < 6; k++) {
      mock.enqueue(Fault.status(410));
    }
    int failures = retried.size() + 1 + once.size();
    ChildJvm.Output out = run(env(false), "mi", concat(repeat("fail", failures), "authorize", "5", "2"));
    List<String> fails = out.out("fail");
    assertThat(fails).hasSize(failures);
    for (int i = 0; i < retried.size(); i++) {
      int status = retried.get(i);
      assertThat(fails.get(i)).startsWith("token_unavailable permanent=false retryAfter="
              + (status == 429 ? "PT9S" : "null"))
          .contains("managed identity (system-assigned) via IMDS at " + mock.url())
          .contains("answered HTTP " + status + " (")
          .contains("after 4 attempts");
    }
    assertThat(fails.get(retried.size())).startsWith("token_unavailable permanent=false")
        .contains("answered HTTP 410 (").contains("after 8 attempts");
    for (int i = 0; i < once.size(); i++) {
      assertThat(fails.get(retried.size() + 1 + i)).startsWith("token_unavailable permanent=true")
          .contains("answered HTTP " + once.get(i) + " (").doesNotContain("attempts")
          .contains("IMDS answers only on Azure VMs");
    }
    assertThat(mock.tokenRequests()).hasSize(retried.size() * 4 + 8 + once.size() + 7);
    assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
  }

  @Test
  @DisplayName("no answer within the deadline, a reset connection, a huge body: one call, a typed error, recovery")
  void connectionFaults() throws Exception {
    for (boolean appService : List.of(true, false)) {
      mock.reset();
      // java.net.http sends a GET again, once, when the connection closes before any answer: two resets.
      mock.enqueue(Fault.delay(Duration.ofSeconds(10))).enqueue(Fault.connectionReset())
          .enqueue(Fault.connectionReset()).enqueue(Fault.hugeBody());
      ChildJvm.Output out = run(env(appService), "mi;connectTimeout=2000ms;timeout=4500ms", "fail", "fail", "fail",
          "authorize", "2", "1");
      List<String> fails = out.out("fail");
      String where = appService ? "via App Service at " + mock.appServiceEndpoint() : "via IMDS at " + mock.url();
      assertThat(fails).hasSize(3).allSatisfy(f -> assertThat(f).startsWith("token_unavailable permanent=false")
          .contains(where));
      assertThat(fails.get(0)).contains("the identity endpoint gave no complete answer within 4500 ms");
      assertThat(fails.get(1)).contains("the connection to the identity endpoint failed without an answer (");
      assertThat(fails.get(2)).contains("answer is larger than 1048576 bytes");
      // MSAL does not retry I/O errors: one call each (two for the reset), then the good one.
      assertThat(mock.tokenRequests()).as(where).hasSize(5);
      assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
    }
  }

  @Test
  @DisplayName("a 429's Retry-After as an HTTP date reaches retryAfter() on both paths: far ahead is an hour, past is 0")
  void retryAfterAsAnHttpDate() throws Exception {
    java.time.format.DateTimeFormatter http = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME;
    String farAhead = http.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(3));
    String past = "Thu, 01 Jan 1970 00:00:00 GMT";
    for (String path : List.of("mi", "entra")) {
      for (Map.Entry<String, String> date : Map.of(farAhead, "PT1H", past, "PT0S").entrySet()) {
        mock.reset();
        // MSAL makes up to four calls for a 429 on App Service: every one of them answers with the same date
        for (int k = 0; k < 4; k++) {
          mock.enqueue(Fault.status(429, date.getKey()));
        }
        ChildJvm.Output out = run(pathEnv(path, true), path, "fail");
        assertThat(out.only("fail")).as(path + " " + date.getKey())
            .startsWith("token_unavailable permanent=false retryAfter=" + date.getValue() + " ")
            .contains("answered HTTP 429");
      }
    }
  }

  @Test
  @DisplayName("a refused connection is a typed, transient error naming the endpoint")
  void refused() throws Exception {
    Map<String, String> env = env(true);
    mock.close();
    ChildJvm.Output out = run(env, "mi", "fail");
    assertThat(out.only("fail")).startsWith("token_unavailable permanent=false")
        .contains("the identity endpoint is not reachable (connection refused)")
        .contains("check that a managed identity is enabled");
  }

  @Test
  @DisplayName("malformed or truncated JSON, no access_token, no expiry: a typed error saying which, then recovery")
  void unusableAnswers() throws Exception {
    for (boolean appService : List.of(true, false)) {
      mock.reset();
      mock.enqueue(Fault.malformedJson()).enqueue(Fault.truncatedJson()).enqueue(Fault.missingField("access_token"));
      ChildJvm.Output out = run(env(appService), "mi", "fail", "fail", "fail",
          "configure", "{\"faults\": [{\"missingField\": \"expires_on\"}]}", "configure", "{}",
          "authorize", "2", "1");
      List<String> fails = out.out("fail");
      assertThat(fails).hasSize(3).allSatisfy(f -> assertThat(f).startsWith("token_unavailable permanent=false")
          .contains(appService ? "App Service" : "IMDS"));
      assertThat(fails.get(0)).contains("answer is not valid JSON (truncated or malformed)");
      assertThat(fails.get(1)).contains("answer is not valid JSON (truncated or malformed)");
      assertThat(fails.get(2)).contains("answer has no access_token");
      assertThat(mock.tokenRequests()).hasSize(4);
      assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
    }
  }

  @Test
  @DisplayName("expires_on as a string, as a number, or absent with expires_in; refresh_in sets the refresh point")
  void expiryForms() throws Exception {
    long lifetime = 3600;
    mock.tokenLifetime(Duration.ofSeconds(lifetime));
    ChildJvm.Output string = run(env(true), "mi", "token");
    mock.reset();
    mock.tokenLifetime(Duration.ofSeconds(lifetime)).answerStyle(AnswerStyle.EXPIRES_ON_NUMBER);
    ChildJvm.Output number = run(env(true), "mi", "token");
    mock.reset();
    mock.tokenLifetime(Duration.ofSeconds(lifetime)).enqueue(Fault.missingField("expires_on"));
    ChildJvm.Output expiresIn = run(env(false), "mi", "token");
    mock.reset();
    mock.tokenLifetime(Duration.ofSeconds(lifetime)).refreshIn(Duration.ofSeconds(600));
    ChildJvm.Output refreshIn = run(env(true), "mi", "token");
    for (ChildJvm.Output out : List.of(string, number, expiresIn, refreshIn)) {
      String[] parts = out.only("token").split(" ");
      long expires = Long.parseLong(parts[1].substring("expiresIn=".length()));
      // The child's clock starts at the real time when it starts; allow for the child's start-up (a loaded
      // machine can take many seconds before the first token).
      assertThat(expires).as(out.only("token")).isBetween(lifetime - 60, lifetime + 30);
      String refresh = parts[2].substring("refreshIn=".length());
      if (out == refreshIn) {
        assertThat(Long.parseLong(refresh)).isBetween(600L - 60, 600L + 30);
      } else {
        assertThat(refresh).as("no refresh_in: the cache refreshes 5 minutes before expiry").isEqualTo("none");
      }
    }
  }

  /** The environment of a path: {@code mi} (managed identity) or {@code entra} (the chain narrowed to it). */
  private Map<String, String> pathEnv(String path, boolean appService) {
    Map<String, String> env = env(appService);
    if (path.equals("entra")) {
      env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
    }
    return env;
  }

  @Test
  @DisplayName("every answer style on both Entra paths: expires_on as a string, a number or a date, or only expires_in")
  void answerStylesOnEveryPath() throws Exception {
    long lifetime = 3600;
    for (String path : List.of("mi", "entra")) {
      for (AnswerStyle style : AnswerStyle.values()) {
        for (boolean appService : List.of(true, false)) {
          mock.reset();
          mock.tokenLifetime(Duration.ofSeconds(lifetime)).answerStyle(style);
          ChildJvm.Output out = run(pathEnv(path, appService), path, "token");
          String token = out.only("token");
          String where = path + " " + style + (appService ? " App Service" : " IMDS");
          assertThat(token).as(where).startsWith(lastIssued() + " ");
          long expires = Long.parseLong(token.split(" ")[1].substring("expiresIn=".length()));
          assertThat(expires).as(where).isBetween(lifetime - 60, lifetime + 30);
        }
      }
    }
  }

  @Test
  @DisplayName("a trickled answer: one deadline ends the whole exchange on both paths, and no thread waits on")
  void trickledAnswerEndsAtTheDeadline() throws Exception {
    for (String path : List.of("mi", "entra")) {
      mock.reset();
      // Headers at once, then one byte every 100 ms: the whole answer would take about 25 s. The deadline is
      // generous so that the good answer after it arrives in time on a loaded machine.
      mock.enqueue(Fault.trickle(Duration.ofMillis(100)));
      ChildJvm.Output out = run(pathEnv(path, true), withTimeouts(path, "5500ms"), "fail", "waiting",
          "authorize", "2", "1");
      assertThat(out.only("fail")).as(path).startsWith("token_unavailable permanent=false")
          .contains("the identity endpoint gave no complete answer within 5500 ms");
      assertThat(out.only("waiting")).as(path + ": threads left in an identity exchange").isEqualTo("0");
      assertThat(mock.tokenRequests()).as(path + " " + out.lines()).hasSize(2);
      assertThat(out.only("authorize")).as(path).isEqualTo("1 " + lastIssued());
      awaitTricklesAbandoned(1);
    }
  }

  @Test
  @DisplayName("the token cache giving up on a trickled answer abandons the exchange on both paths")
  void cacheGivingUpAbandonsTheExchange() throws Exception {
    for (String path : List.of("mi", "entra")) {
      mock.reset();
      // About 40 s for the whole answer.
      mock.enqueue(Fault.trickle(Duration.ofMillis(150)));
      // The exchange's own deadline (60 s) is far off; the cache gives up after 10 s (generous: the good answer
      // after it must arrive in time on a loaded machine).
      ChildJvm.Output out = ChildJvm.run(pathEnv(path, true), List.of("-DfetchTimeoutMillis=10000"),
          EntraChild.class, withTimeouts(path, "60s"), "fail", "waiting", "authorize", "2", "1");
      assertThat(out.exitCode()).as("child stderr: %s", out.stderr()).isZero();
      assertNoSecrets(out);
      assertThat(out.only("fail")).as(path).startsWith("token_unavailable");
      assertThat(out.only("waiting")).as(path + ": threads left in an identity exchange").isEqualTo("0");
      assertThat(out.only("authorize")).as(path).isEqualTo("1 " + lastIssued());
      awaitTricklesAbandoned(1);
    }
  }

  /**
   * The provider of a path with the identity exchange's deadline set; the managed-identity path connects within 2 s
   * too (the chain's connect is bounded by the deadline alone).
   */
  private static String withTimeouts(String path, String timeout) {
    return path + ";timeout=" + timeout + (path.equals("mi") ? ";connectTimeout=2s" : "");
  }

  /** The mock notices a client hanging up at its next byte: wait for it, a bounded number of times. */
  private void awaitTricklesAbandoned(int expected) throws InterruptedException {
    for (int tries = 0; tries < 100 && mock.tricklesAbandoned() < expected; tries++) {
      Thread.sleep(50);
    }
    assertThat(mock.tricklesAbandoned()).as("trickled answers the client hung up on").isEqualTo(expected);
  }

  @Test
  @DisplayName("a truncated 200 holding the token and an echoed identity header: the cause chain quotes neither")
  void truncatedAnswerRedactedOnEveryPath() throws Exception {
    for (String path : List.of("mi", "entra")) {
      mock.reset();
      mock.echoIdentityHeader(true).enqueue(Fault.truncatedJson());
      // run() checks everything the child printed (messages and causes) for the header and every issued token.
      ChildJvm.Output out = run(pathEnv(path, true), path, "fail", "authorize", "2", "1");
      assertThat(out.only("fail")).as(path).startsWith("token_unavailable permanent=false")
          .contains("answer is not valid JSON (truncated or malformed)")
          .contains("causes= <- ");
      assertThat(out.only("authorize")).as(path).isEqualTo("1 " + lastIssued());
    }
  }

  @Test
  @DisplayName("a token that has expired when it arrives is refused with a message about the clock; then recovery")
  void alreadyExpired() throws Exception {
    mock.tokenLifetime(Duration.ofSeconds(-120));
    ChildJvm.Output out = run(env(true), "mi", "fail", "configure", "{\"tokenLifetimeSeconds\": 3600}",
        "authorize", "2", "1");
    assertThat(out.only("fail")).startsWith("token_unavailable")
        .contains("managed identity (system-assigned) via App Service")
        .contains("returned a token that expired at")
        .contains("check this machine's clock");
    assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
    assertThat(mock.issuedTokens()).hasSize(2);
  }

  @Test
  @DisplayName("DefaultAzureCredential narrowed to ManagedIdentityCredential, endpoint failing: typed, names the chain and the fix")
  void chainFailure() throws Exception {
    Map<String, String> env = env(true);
    env.put("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");
    mock.enqueue(Fault.status(400));
    ChildJvm.Output out = run(env, "entra", "fail", "authorize", "2", "1");
    assertThat(out.only("fail")).startsWith("token_unavailable")
        .contains("DefaultAzureCredential narrowed to ManagedIdentityCredential by AZURE_TOKEN_CREDENTIALS")
        .contains("set AZURE_TOKEN_CREDENTIALS to the credential you mean");
    assertThat(out.only("authorize")).isEqualTo("1 " + lastIssued());
  }

}
