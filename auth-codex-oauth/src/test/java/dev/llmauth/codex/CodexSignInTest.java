package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodexSignInTest {
  @TempDir Path home;
  CodexFixture f;
  final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
  final HttpClient noRedirects = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() {
    f = new CodexFixture(home);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private CodexSignIn.Builder signIn() {
    return CodexSignIn.builder().config(new CodexOAuthSettings(null, f.issuer.issuer().toString(), null))
        .environment(f.env()).callbackPorts(0, 0).clock(f.clock);
  }

  private HttpResponse<String> get(HttpClient client, URI uri) {
    try {
      return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private JsonObject file() throws IOException {
    return JsonParser.parseString(Files.readString(f.authFile)).getAsJsonObject();
  }

  @Test
  void browserSignInEndToEnd() throws Exception {
    AtomicReference<HttpResponse<String>> page = new AtomicReference<>();

    CodexSignIn.Result result = signIn().build().signInWithBrowser(uri -> page.set(get(browser, uri)));

    assertThat(page.get().statusCode()).isEqualTo(200);
    assertThat(page.get().body()).contains("signed in");
    assertThat(result.authFile()).isEqualTo(f.authFile);
    assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    assertThat(result.email()).isEqualTo("user@example.test");

    RecordedRequest authorize = f.issuer.recorded(r -> r.path().equals("/oauth/authorize")).get(0);
    assertThat(authorize.queryParameter("response_type")).isEqualTo("code");
    assertThat(authorize.queryParameter("client_id")).isEqualTo(MockOAuthServer.CLIENT_ID);
    assertThat(authorize.queryParameter("scope")).isEqualTo("openid profile email offline_access api.connectors.read "
        + "api.connectors.invoke");
    assertThat(authorize.queryParameter("code_challenge_method")).isEqualTo("S256");
    assertThat(authorize.queryParameter("id_token_add_organizations")).isEqualTo("true");
    assertThat(authorize.queryParameter("codex_cli_simplified_flow")).isEqualTo("true");
    assertThat(authorize.queryParameter("originator")).isEqualTo("codex_cli_rs");
    assertThat(authorize.queryParameter("state")).hasSizeGreaterThan(20);
    assertThat(authorize.queryParameter("redirect_uri")).matches("http://localhost:\\d+/auth/callback");

    RecordedRequest token = f.issuer.recorded(r -> r.path().equals("/oauth/token")).get(0);
    assertThat(token.header("content-type")).startsWith("application/x-www-form-urlencoded");
    Map<String, String> form = MockOAuthServer.formParameters(token.bodyText());
    assertThat(form).containsEntry("grant_type", "authorization_code").containsKey("code_verifier")
        .containsEntry("redirect_uri", authorize.queryParameter("redirect_uri"));

    JsonObject stored = file();
    assertThat(stored.get("auth_mode").getAsString()).isEqualTo("chatgpt");
    assertThat(stored.getAsJsonObject("tokens").get("account_id").getAsString())
        .isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    assertThat(stored.getAsJsonObject("tokens").get("refresh_token").getAsString()).isNotEmpty();
    assertThat(Files.getPosixFilePermissions(f.authFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    Map<String, String> headers = CodexFixture.headers(CodexFixture.authorize(f.authenticator()));
    assertThat(headers.get("Authorization"))
        .isEqualTo("Bearer " + stored.getAsJsonObject("tokens").get("access_token").getAsString());
    assertThat(headers).containsEntry("ChatGPT-Account-Id", MockOAuthServer.DEFAULT_ACCOUNT_ID);
  }

  @Test
  void aCallbackWithTheWrongStateIsRejectedAndTheSignInGoesOn() {
    List<Integer> wrongState = new ArrayList<>();
    CodexSignIn.Result result = signIn().build().signInWithBrowser(uri -> {
      String redirect = MockOAuthServer.formParameters(uri.getRawQuery()).get("redirect_uri");
      wrongState.add(get(noRedirects, URI.create(redirect + "?code=forged&state=wrong")).statusCode());
      get(browser, uri);
    });
    assertThat(wrongState).containsExactly(400);
    assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    assertThat(f.issuer.recorded(r -> r.path().equals("/oauth/token"))).hasSize(1);
  }

  @Test
  void theCancelPathEndsTheSignInOnlyWithTheSignInsState() {
    List<Integer> refused = new ArrayList<>();
    assertThatThrownBy(() -> signIn().build().signInWithBrowser(uri -> {
      Map<String, String> q = MockOAuthServer.formParameters(uri.getRawQuery());
      String cancel = q.get("redirect_uri").replace("/auth/callback", "/cancel");
      refused.add(get(noRedirects, URI.create(cancel)).statusCode());
      refused.add(get(noRedirects, URI.create(cancel + "?state=forged")).statusCode());
      refused.add(get(noRedirects, URI.create(cancel + "?state=")).statusCode());
      get(noRedirects, URI.create(cancel + "?state=" + q.get("state")));
    })).isInstanceOfSatisfying(AuthException.class, e -> {
      assertThat(e.code()).isEqualTo(CodexSignIn.SIGN_IN_FAILED);
      assertThat(e.getMessage()).contains("cancelled");
    });
    assertThat(refused).containsExactly(400, 400, 400);
    assertThat(f.authFile).doesNotExist();
  }

  @Test
  void aCancelWithoutTheStateDoesNotStopTheSignIn() {
    List<Integer> refused = new ArrayList<>();
    CodexSignIn.Result result = signIn().build().signInWithBrowser(uri -> {
      String redirect = MockOAuthServer.formParameters(uri.getRawQuery()).get("redirect_uri");
      refused.add(get(noRedirects, URI.create(redirect.replace("/auth/callback", "/cancel"))).statusCode());
      get(browser, uri);
    });
    assertThat(refused).containsExactly(400);
    assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
  }

  private static boolean hasIpv6Loopback() {
    try {
      return java.net.NetworkInterface.getByInetAddress(InetAddress.getByName("::1")) != null;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void anIpv6FirstBrowserReachesTheCallbackOnTheIpv6Loopback() {
    org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6Loopback(), "this machine has ::1");
    CodexSignIn.Result result = signIn().build().signInWithBrowser(uri -> {
      HttpResponse<String> authorize = get(noRedirects, uri);
      String location = authorize.headers().firstValue("Location").orElseThrow();
      assertThat(location).startsWith("http://localhost:");
      assertThat(get(noRedirects, URI.create(location.replace("http://localhost:", "http://[::1]:"))).statusCode())
          .isEqualTo(200);
    });
    assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
  }

  @Test
  void aPortHeldOnTheIpv6LoopbackByAnotherProgramIsNotUsed() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6Loopback(), "this machine has ::1");
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      int held = other.getLocalPort();
      assertThatThrownBy(() -> signIn().callbackPorts(held, held).build().signInWithBrowser(uri -> { }))
          .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.getMessage())
              .contains("cannot listen for the sign-in callback on localhost:" + held)
              .contains("[::1]:" + held + " is in use by another program"));

      List<String> redirects = new ArrayList<>();
      CodexSignIn.Result result = signIn().callbackPorts(held, 0).build().signInWithBrowser(uri -> {
        redirects.add(MockOAuthServer.formParameters(uri.getRawQuery()).get("redirect_uri"));
        get(browser, uri);
      });
      assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
      assertThat(redirects).hasSize(1).first().asString().doesNotContain(":" + held + "/");
    }
  }

  @Test
  void anIssuerRefusalFailsTheSignIn() {
    f.issuer.authorizeError("access_denied");
    assertThatThrownBy(() -> signIn().build().signInWithBrowser(uri -> get(browser, uri)))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.getMessage()).contains("access_denied"));
    assertThat(f.authFile).doesNotExist();
  }

  @Test
  void theBrowserSignInTimesOut() {
    assertThatThrownBy(() -> signIn().browserTimeout(Duration.ofMillis(300)).build().signInWithBrowser(uri -> { }))
        .isInstanceOfSatisfying(AuthException.class, e -> {
          assertThat(e.code()).isEqualTo(CodexSignIn.SIGN_IN_FAILED);
          assertThat(e.getMessage()).contains("did not complete");
        });
  }

  @Test
  void theDefaultsAreThePortsAndTimeoutsOfTheCodexCli() {
    assertThat(CodexSignIn.DEFAULT_PORT).isEqualTo(1455);
    assertThat(CodexSignIn.FALLBACK_PORT).isEqualTo(1457);
    assertThat(CodexSignIn.BROWSER_TIMEOUT).isEqualTo(Duration.ofMinutes(5));
    assertThat(CodexSignIn.DEVICE_LIMIT).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void theFallbackPortIsUsedWhenTheFirstIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicReference<String> redirect = new AtomicReference<>();
      signIn().callbackPorts(taken.getLocalPort(), 0).build().signInWithBrowser(uri -> {
        redirect.set(MockOAuthServer.formParameters(uri.getRawQuery()).get("redirect_uri"));
        get(browser, uri);
      });
      assertThat(URI.create(redirect.get()).getPort()).isNotEqualTo(taken.getLocalPort()).isPositive();
    }
  }

  @Test
  void theCallbackServerListensOnLoopbackOnly() throws Exception {
    try (CallbackServer server = CallbackServer.start(0, 0, "s", (code, uri) -> {
      throw new AssertionError("not called");
    })) {
      InetAddress nonLoopback = null;
      for (var nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        for (var addr : java.util.Collections.list(nif.getInetAddresses())) {
          if (!addr.isLoopbackAddress() && addr instanceof java.net.Inet4Address) {
            nonLoopback = addr;
          }
        }
      }
      assertThat(get(noRedirects, URI.create("http://127.0.0.1:" + server.port() + "/nowhere")).statusCode())
          .isEqualTo(404);
      if (nonLoopback != null) {
        InetAddress target = nonLoopback;
        assertThatThrownBy(() -> new java.net.Socket(target, server.port()).close())
            .isInstanceOf(java.net.ConnectException.class);
      }
    }
  }

  @Test
  void deviceSignInEndToEndPollingAtTheIssuersInterval() throws Exception {
    f.issuer.devicePendingPolls(2).deviceInterval(7);
    List<Duration> sleeps = new ArrayList<>();
    AtomicReference<CodexSignIn.DeviceCode> shown = new AtomicReference<>();

    CodexSignIn.Result result = signIn().sleeper(sleeps::add).build().signInWithDevice(shown::set);

    assertThat(shown.get().verificationUri()).isEqualTo(URI.create(f.issuer.issuer() + "/codex/device"));
    assertThat(shown.get().userCode()).startsWith("MOCK-");
    assertThat(shown.get().expiresIn()).isEqualTo(Duration.ofMinutes(15));
    assertThat(sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
    assertThat(f.issuer.recorded(r -> r.path().equals("/api/accounts/deviceauth/token"))).hasSize(3);
    assertThat(result.accountId()).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    RecordedRequest usercode = f.issuer.recorded(r -> r.path().equals("/api/accounts/deviceauth/usercode")).get(0);
    assertThat(JsonParser.parseString(usercode.bodyText()).getAsJsonObject().get("client_id").getAsString())
        .isEqualTo(MockOAuthServer.CLIENT_ID);
    RecordedRequest token = f.issuer.recorded(r -> r.path().equals("/oauth/token")).get(0);
    assertThat(MockOAuthServer.formParameters(token.bodyText()))
        .containsEntry("redirect_uri", f.issuer.issuer() + "/deviceauth/callback");
    assertThat(file().getAsJsonObject("tokens").get("access_token").getAsString()).isNotEmpty();
  }

  @Test
  void theDeviceSignInGivesUpAfterFifteenMinutes() {
    f.issuer.devicePendingPolls(Integer.MAX_VALUE).deviceInterval(5);
    List<Duration> sleeps = new ArrayList<>();
    CodexSignIn signIn = signIn().sleeper(d -> {
      sleeps.add(d);
      f.clock.advance(d);
    }).build();

    assertThatThrownBy(() -> signIn.signInWithDevice(code -> { }))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.getMessage()).contains("15 minutes"));
    assertThat(sleeps.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofMinutes(15));
    assertThat(f.issuer.recorded(r -> r.path().equals("/api/accounts/deviceauth/token"))).hasSize(181);
    assertThat(f.authFile).doesNotExist();
  }

  @Test
  void signOutRemovesTheTokensAndKeepsTheRest() throws Exception {
    f.writeSignIn(Duration.ofHours(1), Map.of("OPENAI_API_KEY", "sk-kept"));
    CodexSignIn signIn = signIn().build();

    assertThat(signIn.signOut()).isTrue();
    assertThat(file().has("tokens")).isFalse();
    assertThat(file().get("OPENAI_API_KEY").getAsString()).isEqualTo("sk-kept");
    assertThat(signIn.signOut()).isFalse();
  }

  @Test
  void anInsecureIssuerIsAConfigurationError() {
    assertThatThrownBy(() -> CodexSignIn.builder().config(new CodexOAuthSettings(null, "http://example.com", null))
        .build()).isInstanceOf(ConfigException.class).hasMessageContaining("https");
  }

  @Test
  void theIssuerTimeoutsOfTheSettingsBoundTheSignInsCalls() {
    f.issuer.enqueue(Fault.stall(Duration.ofSeconds(10)));
    CodexSignIn signIn = CodexSignIn.builder().config(new CodexOAuthSettings(null, f.issuer.issuer().toString(), null,
        new IssuerTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)))).environment(f.env()).clock(f.clock)
        .sleeper(d -> { }).build();
    assertThatThrownBy(() -> signIn.signInWithDevice(code -> { }))
        .isInstanceOfSatisfying(AuthException.class, e -> {
          assertThat(e.code()).isEqualTo(CodexSignIn.SIGN_IN_FAILED);
          assertThat(e.getMessage()).startsWith("exchanging the authorization code at " + f.issuer.issuer())
              .endsWith("failed: HttpTimeoutException");
        });
    assertThat(f.authFile).doesNotExist();
  }

  @Test
  void theDefaultFileComesFromTheEnvironment() {
    assertThat(CodexSignIn.builder().environment(Map.of("CODEX_HOME", home.toString())).build().authFile())
        .isEqualTo(home.resolve("auth.json"));
  }
}
