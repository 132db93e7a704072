package dev.llmauth.conformance.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MockIdentityServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final MockIdentityServer server = new MockIdentityServer().start();

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> appService(String query, String header) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.appServiceEndpoint() + "?" + query));
    if (header != null) {
      b.header("X-IDENTITY-HEADER", header);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> imds(String query, boolean metadata) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.url(MockIdentityServer.IMDS_PATH + "?" + query));
    if (metadata) {
      b.header("Metadata", "true");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String APP_QUERY = "api-version=2019-08-01&resource=https://cognitiveservices.azure.com";
  private static final String IMDS_QUERY = "api-version=2018-02-01&resource=https://cognitiveservices.azure.com";

  @Nested
  @DisplayName("App Service contract")
  class AppService {
    @Test
    @DisplayName("answers a token with every field, echoing the user-assigned selector")
    void answersToken() throws Exception {
      Instant before = Instant.now();
      HttpResponse<String> r = appService(APP_QUERY + "&client_id=abc", server.identityHeader());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
      assertThat(o.get("access_token").getAsString()).isEqualTo(server.issuedTokens().get(0));
      assertThat(o.get("token_type").getAsString()).isEqualTo("Bearer");
      assertThat(o.get("resource").getAsString()).isEqualTo("https://cognitiveservices.azure.com");
      assertThat(o.get("client_id").getAsString()).isEqualTo("abc");
      assertThat(o.get("expires_in").getAsString()).isEqualTo("3600");
      long expiresOn = Long.parseLong(o.get("expires_on").getAsString());
      assertThat(expiresOn).isBetween(before.getEpochSecond() + 3599, Instant.now().getEpochSecond() + 3600);
      assertThat(server.tokenRequests()).singleElement()
          .satisfies(req -> assertThat(req.queryParameter("client_id")).isEqualTo("abc"));
    }

    @Test
    @DisplayName("rejects a missing or wrong X-IDENTITY-HEADER with 401 and issues nothing")
    void rejectsWrongHeader() throws Exception {
      assertThat(appService(APP_QUERY, null).statusCode()).isEqualTo(401);
      assertThat(appService(APP_QUERY, "wrong").statusCode()).isEqualTo(401);
      assertThat(server.issuedTokens()).isEmpty();
    }

    @Test
    @DisplayName("requires resource and api-version")
    void requiresResource() throws Exception {
      assertThat(appService("api-version=2019-08-01", server.identityHeader()).statusCode()).isEqualTo(400);
    }
  }

  @Nested
  @DisplayName("IMDS contract")
  class Imds {
    @Test
    @DisplayName("answers with Metadata: true and rejects without it")
    void metadataHeader() throws Exception {
      assertThat(imds(IMDS_QUERY, false).statusCode()).isEqualTo(400);
      HttpResponse<String> ok = imds(IMDS_QUERY + "&mi_res_id=/subscriptions/x", true);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(JsonParser.parseString(ok.body()).getAsJsonObject().get("mi_res_id").getAsString())
          .isEqualTo("/subscriptions/x");
      assertThat(server.imdsEnvironment()).containsEntry("AZURE_POD_IDENTITY_AUTHORITY_HOST", server.url().toString());
    }
  }

  @Nested
  @DisplayName("configuration")
  class Configuration {
    @Test
    @DisplayName("rotates tokens by default and repeats the last one when rotation is off")
    void rotation() throws Exception {
      String a = token(imds(IMDS_QUERY, true));
      String b = token(imds(IMDS_QUERY, true));
      assertThat(a).isNotEqualTo(b);
      server.rotateTokens(false);
      assertThat(token(imds(IMDS_QUERY, true))).isEqualTo(b);
    }

    @Test
    @DisplayName("serves queued faults in order, then normal answers")
    void faults() throws Exception {
      server.enqueue(Fault.status(503, Duration.ofSeconds(2)))
          .enqueue(Fault.truncatedJson())
          .enqueue(Fault.malformedJson())
          .enqueue(Fault.missingField("expires_on"))
          .enqueue(Fault.delay(Duration.ofMillis(1)));
      HttpResponse<String> unavailable = imds(IMDS_QUERY, true);
      assertThat(unavailable.statusCode()).isEqualTo(503);
      assertThat(unavailable.headers().firstValue("Retry-After")).contains("2");
      HttpResponse<String> truncated = imds(IMDS_QUERY, true);
      assertThat(truncated.statusCode()).isEqualTo(200);
      assertThat(truncated.body()).startsWith("{").doesNotEndWith("}");
      assertThat(imds(IMDS_QUERY, true).body()).doesNotStartWith("{\"");
      JsonObject missing = JsonParser.parseString(imds(IMDS_QUERY, true).body()).getAsJsonObject();
      assertThat(missing.has("expires_on")).isFalse();
      assertThat(missing.has("access_token")).isTrue();
      assertThat(imds(IMDS_QUERY, true).statusCode()).isEqualTo(200);
      assertThat(imds(IMDS_QUERY, true).statusCode()).isEqualTo(200);
      assertThat(server.tokenRequests()).hasSize(6);
    }

    @Test
    @DisplayName("sends a Retry-After header value as it is: huge, negative or not a number, in code and over HTTP")
    void rawRetryAfter() throws Exception {
      for (String value : java.util.List.of("99999999999999999", "-99999999999999999", "soon")) {
        server.enqueue(Fault.status(429, value));
        HttpResponse<String> limited = imds(IMDS_QUERY, true);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().allValues("Retry-After")).containsExactly(value);
      }
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.url("/__control/configure"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"faults\": [{\"status\": 429, \"retryAfter\": \"soon\"}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(204);
      HttpResponse<String> limited = appService(APP_QUERY, server.identityHeader());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().allValues("Retry-After")).containsExactly("soon");
      assertThat(appService(APP_QUERY, server.identityHeader()).statusCode()).isEqualTo(200);
      HttpResponse<String> both = http.send(HttpRequest.newBuilder(server.url("/__control/configure"))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"faults\": [{\"status\": 429, \"retryAfter\": \"1\", \"retryAfterSeconds\": 1}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(both.statusCode()).isEqualTo(400);
      assertThat(both.body()).contains("retryAfterSeconds").contains("not both");
    }

    @Test
    @DisplayName("takes lifetime, rotation and faults over POST /__control/configure, and rejects bad input")
    void configureOverHttp() throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.url("/__control/configure"))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"tokenLifetimeSeconds\": 120, \"rotateTokens\": false, \"faults\": [{\"status\": 500}]}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(204);
      assertThat(imds(IMDS_QUERY, true).statusCode()).isEqualTo(500);
      HttpResponse<String> ok = imds(IMDS_QUERY, true);
      assertThat(JsonParser.parseString(ok.body()).getAsJsonObject().get("expires_in").getAsString())
          .isEqualTo("120");
      HttpResponse<String> bad = http.send(HttpRequest.newBuilder(server.url("/__control/configure"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"faults\": [{\"body\": \"odd\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("malformed");
    }

    @Test
    @DisplayName("reset forgets requests, tokens, faults and settings")
    void reset() throws Exception {
      server.tokenLifetime(Duration.ofSeconds(5)).enqueue(Fault.status(500));
      imds(IMDS_QUERY, true);
      http.send(HttpRequest.newBuilder(server.url("/__control/reset")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(server.recorded()).isEmpty();
      HttpResponse<String> r = imds(IMDS_QUERY, true);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(JsonParser.parseString(r.body()).getAsJsonObject().get("expires_in").getAsString())
          .isEqualTo("3600");
      assertThat(server.issuedTokens()).hasSize(1);
    }
  }

  @Nested
  @DisplayName("standalone use")
  class Standalone {
    @Test
    @DisplayName("the Listening line carries the endpoint, header secret, environments and control URLs")
    void listeningLine() {
      String line = server.listeningLine();
      assertThat(line).startsWith("Listening: {");
      JsonObject o = JsonParser.parseString(line.substring("Listening: ".length())).getAsJsonObject();
      assertThat(o.get("appServiceEndpoint").getAsString()).isEqualTo(server.appServiceEndpoint().toString());
      assertThat(o.get("identityHeader").getAsString()).isEqualTo(server.identityHeader());
      assertThat(o.get("imdsAuthorityHost").getAsString()).isEqualTo(server.url().toString());
      assertThat(o.getAsJsonObject("appServiceEnvironment").get("IDENTITY_HEADER").getAsString())
          .isEqualTo(server.identityHeader());
      for (String control : new String[] {"recorded", "reset", "configure", "stop"}) {
        assertThat(o.get(control).getAsString()).startsWith(server.url().toString()).contains("/__control/");
      }
    }

    @Test
    @DisplayName("toString shows no header secret")
    void toStringHidesSecret() {
      assertThat(server.toString()).doesNotContain(server.identityHeader());
    }

    @Test
    @DisplayName("/__control/stop stops the server")
    void stop() throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.url("/__control/stop")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(204);
      server.awaitStop();
      HttpClient fresh = HttpClient.newHttpClient();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.send(
              HttpRequest.newBuilder(server.url(MockIdentityServer.IMDS_PATH)).header("Metadata", "true").build(),
              HttpResponse.BodyHandlers.ofString()))
          .isInstanceOfAny(ConnectException.class, IOException.class);
    }
  }

  @Test
  @DisplayName("expiryOf gives the expires_on sent with each token, and nothing for a token it did not issue")
  void expiryOf() throws Exception {
    server.tokenLifetime(Duration.ofSeconds(2));
    HttpResponse<String> r = imds(IMDS_QUERY, true);
    JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
    String token = o.get("access_token").getAsString();
    assertThat(server.expiryOf(token))
        .isEqualTo(Instant.ofEpochSecond(Long.parseLong(o.get("expires_on").getAsString())));
    assertThat(server.expiryOf(token + "x")).isNull();
  }

  private static String token(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    return JsonParser.parseString(r.body()).getAsJsonObject().get("access_token").getAsString();
  }

  @Nested
  @DisplayName("answer styles, echo and trickle")
  class Styles {
    @Test
    @DisplayName("EXPIRES_IN_ONLY answers exactly access_token, a numeric expires_in, token_type and resource")
    void expiresInOnly() throws Exception {
      server.tokenLifetime(Duration.ofSeconds(3600)).answerStyle(MockIdentityServer.AnswerStyle.EXPIRES_IN_ONLY);
      JsonObject o = JsonParser.parseString(appService(APP_QUERY + "&client_id=abc", server.identityHeader()).body())
          .getAsJsonObject();
      assertThat(o.keySet()).containsExactlyInAnyOrder("access_token", "expires_in", "token_type", "resource");
      assertThat(o.get("expires_in").getAsJsonPrimitive().isNumber()).isTrue();
      assertThat(o.get("expires_in").getAsLong()).isEqualTo(3600);
    }

    @Test
    @DisplayName("EXPIRES_ON_NUMBER and EXPIRES_ON_DATE give the same expiry as a number and as an App Service date")
    void expiresOnForms() throws Exception {
      server.answerStyle(MockIdentityServer.AnswerStyle.EXPIRES_ON_NUMBER);
      JsonObject number = JsonParser.parseString(imds(IMDS_QUERY, true).body()).getAsJsonObject();
      assertThat(number.get("expires_on").getAsJsonPrimitive().isNumber()).isTrue();
      server.answerStyle(MockIdentityServer.AnswerStyle.EXPIRES_ON_DATE);
      JsonObject date = JsonParser.parseString(imds(IMDS_QUERY, true).body()).getAsJsonObject();
      String text = date.get("expires_on").getAsString();
      assertThat(text).matches("\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2} (AM|PM) \\+00:00");
      Instant parsed = java.time.OffsetDateTime.parse(text, java.time.format.DateTimeFormatter.ofPattern(
          "MM/dd/yyyy hh:mm:ss a xxx", java.util.Locale.US)).toInstant();
      assertThat(parsed).isEqualTo(server.expiryOf(server.issuedTokens().get(1)));
    }

    @Test
    @DisplayName("echoIdentityHeader puts the header received into the answer")
    void echo() throws Exception {
      server.echoIdentityHeader(true);
      JsonObject o = JsonParser.parseString(appService(APP_QUERY, server.identityHeader()).body()).getAsJsonObject();
      assertThat(o.get("identity_header").getAsString()).isEqualTo(server.identityHeader());
    }

    @Test
    @DisplayName("a trickle sends the headers at once and counts a client that hangs up before the end")
    void trickle() throws Exception {
      server.enqueue(Fault.trickle(Duration.ofMillis(50)));
      HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(server.appServiceEndpoint()
          + "?" + APP_QUERY)).header("X-IDENTITY-HEADER", server.identityHeader()).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      try (java.io.InputStream in = r.body()) {
        assertThat(in.read()).isEqualTo('{');
      }
      for (int tries = 0; tries < 200 && server.tricklesAbandoned() == 0; tries++) {
        Thread.sleep(25);
      }
      assertThat(server.tricklesAbandoned()).isEqualTo(1);
    }
  }
}
