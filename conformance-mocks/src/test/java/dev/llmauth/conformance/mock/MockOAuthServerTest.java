package dev.llmauth.conformance.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockOAuthServerTest {
  final MockOAuthServer server = new MockOAuthServer().start();
  final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() {
    server.close();
  }

  private HttpResponse<String> post(String path, String type, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(server.url(path)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> refresh(String token) throws Exception {
    return post("/oauth/token", "application/json", "{\"client_id\":\"" + MockOAuthServer.CLIENT_ID
        + "\",\"grant_type\":\"refresh_token\",\"refresh_token\":\"" + token + "\"}");
  }

  private static String challenge(String verifier) throws Exception {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void refreshTokensRotateAndAReplayIsReportedAsReused() throws Exception {
    String first = server.issueRefreshToken();
    HttpResponse<String> ok = refresh(first);
    JsonObject body = JsonParser.parseString(ok.body()).getAsJsonObject();
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(body.get("refresh_token").getAsString()).isNotEqualTo(first);
    assertThat(body.get("access_token").getAsString().split("\\.")).hasSize(3);

    HttpResponse<String> replay = refresh(first);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(JsonParser.parseString(replay.body()).getAsJsonObject().getAsJsonObject("error").get("code")
        .getAsString()).isEqualTo("refresh_token_reused");
    assertThat(server.refreshCount()).isEqualTo(2);
  }

  @Test
  void aReplayedRefreshTokenGetsTheRealIssuersErrorShape() throws Exception {
    String first = server.issueRefreshToken();
    assertThat(refresh(first).statusCode()).isEqualTo(200);

    HttpResponse<String> replay = refresh(first);
    JsonObject error = JsonParser.parseString(replay.body()).getAsJsonObject().getAsJsonObject("error");
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(error.get("code").getAsString()).isEqualTo("refresh_token_reused");
    assertThat(error.get("type").getAsString()).isEqualTo("invalid_request_error");
    assertThat(error.get("param").isJsonNull()).isTrue();
    assertThat(error.get("message").getAsString()).contains("already been used");
  }

  @Test
  void acceptsRefreshTokenTellsWithoutUsingTheToken() throws Exception {
    String first = server.issueRefreshToken();
    assertThat(server.acceptsRefreshToken(first)).isTrue();
    assertThat(server.acceptsRefreshToken(first)).isTrue();
    assertThat(server.refreshCount()).isZero();

    String second = JsonParser.parseString(refresh(first).body()).getAsJsonObject().get("refresh_token")
        .getAsString();
    assertThat(server.acceptsRefreshToken(first)).isFalse();
    assertThat(server.acceptsRefreshToken(second)).isTrue();
    assertThat(server.acceptsRefreshToken("rt-never-issued")).isFalse();
  }

  @Test
  void membersTheIssuerDoesNotKnowAreIgnored() throws Exception {
    String first = server.issueRefreshToken();
    HttpResponse<String> r = post("/oauth/token", "application/json", "{\"client_id\":\"" + MockOAuthServer.CLIENT_ID
        + "\",\"grant_type\":\"refresh_token\",\"refresh_reason\":\"proactive_expiry\",\"refresh_token\":\""
        + first + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(server.acceptsRefreshToken(first)).isFalse();
  }

  @Test
  void theAuthorizationCodeNeedsTheRightPkceVerifierAndWorksOnce() throws Exception {
    String verifier = "verifier-0123456789-0123456789-0123456789-0123456789";
    String redirect = "http://localhost:1455/auth/callback";
    URI authorize = server.url("/oauth/authorize?response_type=code&client_id=" + MockOAuthServer.CLIENT_ID
        + "&redirect_uri=" + java.net.URLEncoder.encode(redirect, StandardCharsets.UTF_8)
        + "&code_challenge=" + challenge(verifier) + "&code_challenge_method=S256&state=st");
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    Map<String, String> q = MockServer.formParameters(location.getRawQuery());
    assertThat(q).containsEntry("state", "st");
    String form = "grant_type=authorization_code&client_id=" + MockOAuthServer.CLIENT_ID + "&redirect_uri="
        + java.net.URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&code=" + q.get("code");

    assertThat(post("/oauth/token", "application/x-www-form-urlencoded", form + "&code_verifier=wrong").statusCode())
        .isEqualTo(400);
    r = http.send(HttpRequest.newBuilder(authorize).build(), HttpResponse.BodyHandlers.ofString());
    String code = MockServer.formParameters(URI.create(r.headers().firstValue("Location").orElseThrow())
        .getRawQuery()).get("code");
    String good = form.replaceAll("code=[^&]*$", "code=" + code) + "&code_verifier=" + verifier;
    HttpResponse<String> tokens = post("/oauth/token", "application/x-www-form-urlencoded", good);
    assertThat(tokens.statusCode()).isEqualTo(200);
    assertThat(tokens.body()).contains("id_token");
    assertThat(post("/oauth/token", "application/x-www-form-urlencoded", good).statusCode()).isEqualTo(400);
  }

  @Test
  void faultsAreUsedInOrderAndResetRestoresTheDefaults() throws Exception {
    server.enqueue(Fault.error(503, null)).enqueue(Fault.error(400, "invalid_grant"));
    assertThat(refresh(server.issueRefreshToken()).statusCode()).isEqualTo(503);
    assertThat(refresh(server.issueRefreshToken()).body()).contains("invalid_grant");
    server.enqueue(Fault.error(500, null));
    server.reset();
    assertThat(server.recorded()).isEmpty();
    assertThat(refresh(server.issueRefreshToken()).statusCode()).isEqualTo(200);
  }

  @Test
  void aStatusFaultCanCarryRetryAfterAndARawAnswerIsSentAsItIs() throws Exception {
    server.enqueue(Fault.error(429, "rate_limited", java.time.Duration.ofSeconds(7)))
        .enqueue(Fault.answer(200, "{\"access_token\":"));
    HttpResponse<String> limited = refresh(server.issueRefreshToken());
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).contains("7");
    HttpResponse<String> raw = refresh(server.issueRefreshToken());
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.body()).isEqualTo("{\"access_token\":");
  }

  @Test
  void aStatusFaultCanCarryARetryAfterValueSentAsItIs() throws Exception {
    for (String value : java.util.List.of("99999999999999999", "-99999999999999999", "soon")) {
      server.enqueue(Fault.error(429, "rate_limit_exceeded", value));
      HttpResponse<String> limited = refresh(server.issueRefreshToken());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().allValues("Retry-After")).containsExactly(value);
      assertThat(JsonParser.parseString(limited.body()).getAsJsonObject().getAsJsonObject("error").get("code")
          .getAsString()).isEqualTo("rate_limit_exceeded");
    }
    assertThat(refresh(server.issueRefreshToken()).statusCode()).isEqualTo(200);
  }

  @Test
  void resetStallAndTruncatedFaultsEndTheConnectionWithoutACompleteAnswer() throws Exception {
    server.enqueue(Fault.connectionReset()).enqueue(Fault.stall(java.time.Duration.ofMillis(50))).enqueue(Fault.shortBody());
    for (int i = 0; i < 3; i++) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> refresh(server.issueRefreshToken()))
          .isInstanceOf(java.io.IOException.class);
    }
    assertThat(server.refreshCount()).isEqualTo(3);
    assertThat(refresh(server.issueRefreshToken()).statusCode()).isEqualTo(200);
  }

  @Test
  void aHugeBodyHasTheAskedSize() throws Exception {
    server.enqueue(Fault.hugeBody(3 * 1024 * 1024));
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.url("/oauth/token"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(3 * 1024 * 1024);
    assertThat(JsonParser.parseString(new String(r.body(), StandardCharsets.US_ASCII)).getAsJsonObject()
        .get("access_token").getAsString()).hasSize(3 * 1024 * 1024 - 19);
  }

  @Test
  void theListeningLineNamesTheEndpoints() {
    assertThat(server.listeningLine()).startsWith("Listening: {")
        .contains("\"issuer\":\"" + server.url() + "\"").contains("/oauth/token").contains("deviceauth/usercode");
  }
}
