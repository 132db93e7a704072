package dev.llmauth.conformance.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MockModelServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(MockModelServer server, String path, String body, String auth) throws Exception {
    return http.send(HttpRequest.newBuilder(server.url(path)).header("Authorization", auth)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersChatAndResponsesRecordsAndRejectsChosenTokens() throws Exception {
    try (MockModelServer server = new MockModelServer().start()) {
      assertThat(post(server, "/v1/chat/completions", "{\"model\":\"m\"}", "Bearer a").body())
          .contains("\"object\":\"chat.completion\"", MockModelServer.ANSWER);
      assertThat(post(server, "/backend-api/codex/responses", "{}", "Bearer a").body())
          .contains("\"object\":\"response\"");
      assertThat(server.recorded()).extracting(r -> r.header("authorization")).containsExactly("Bearer a",
          "Bearer a");

      HttpResponse<Void> reject = http.send(HttpRequest.newBuilder(server.url("/__control/reject"))
          .POST(HttpRequest.BodyPublishers.ofString("token=bad")).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(reject.statusCode()).isEqualTo(204);
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer bad").statusCode()).isEqualTo(401);
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer good").statusCode()).isEqualTo(200);

      String recorded = http.send(HttpRequest.newBuilder(server.url("/__control/recorded")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(recorded).contains("\"Bearer bad\"", "\"/v1/chat/completions\"");
      http.send(HttpRequest.newBuilder(server.url("/__control/reset")).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.discarding());
      assertThat(server.recorded()).isEmpty();
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer bad").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void queuedFailuresAreServedOncePerRequestInOrderThenNormalAnswersResume() throws Exception {
    try (MockModelServer server = new MockModelServer().start()) {
      server.enqueue(Fault.status(503));
      server.enqueue(Fault.status(429));
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer a").statusCode()).isEqualTo(503);
      HttpResponse<String> second = post(server, "/v1/chat/completions", "{}", "Bearer a");
      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.body()).contains("\"error\"");
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer a").statusCode()).isEqualTo(200);
      assertThat(server.recorded()).hasSize(3);
      server.enqueue(Fault.status(500));
      server.reset();
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer a").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aHeldStreamIsCountedAfterItsFirstEventUntilReleased() throws Exception {
    try (MockModelServer server = new MockModelServer().start()) {
      server.holdStreams();
      assertThat(server.heldStreams()).isZero();
      java.util.concurrent.CompletableFuture<HttpResponse<String>> stream = http.sendAsync(HttpRequest.newBuilder(
          server.url("/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}")).build(),
          HttpResponse.BodyHandlers.ofString());
      while (server.heldStreams() == 0) {
        Thread.sleep(5);
      }
      assertThat(stream).isNotDone();
      server.releaseStreams();
      assertThat(stream.get().body()).endsWith("data: [DONE]\n\n");
      assertThat(server.heldStreams()).isZero();
    }
  }

  @Test
  void streamsServerSentEventsAndStopsOnRequest() throws Exception {
    MockModelServer server = new MockModelServer().start();
    HttpResponse<String> r = post(server, "/v1/chat/completions", "{\"model\":\"m\",\"stream\":true}", "Bearer a");
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(r.body()).isEqualTo(String.join("", MockModelServer.chatEvents(1, "m"))).endsWith("data: [DONE]\n\n");
    assertThat(post(server, "/v1/responses", "{\"stream\":true}", "Bearer a").body())
        .contains("event: response.output_text.delta", "event: response.completed");
    assertThat(server.listeningLine()).startsWith("Listening: {").contains("\"stop\":");

    http.send(HttpRequest.newBuilder(server.url("/__control/stop")).build(), HttpResponse.BodyHandlers.discarding());
    server.awaitStop();
  }

  @Test
  void constructThenStartAndBaseUrlIsTheListeningLinesOne() throws Exception {
    MockModelServer unstarted = new MockModelServer();
    assertThatThrownBy(unstarted::url).isInstanceOf(IllegalStateException.class).hasMessageContaining("start()");
    try (MockModelServer server = unstarted.start()) {
      assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
      assertThat(server.baseUrl()).hasToString("http://127.0.0.1:" + server.port() + "/v1");
      assertThat(server.listeningLine()).contains("\"baseUrl\":\"" + server.baseUrl() + "\"");
      assertThat(http.send(HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void servesTheSharedFaultsInOrderAndRefusesTheOnesItCannot() throws Exception {
    try (MockModelServer server = new MockModelServer().start()) {
      server.enqueue(Fault.error(429, "rate_limit_exceeded", java.time.Duration.ofSeconds(3)))
          .enqueue(Fault.answer(502, "<html>bad gateway</html>"));
      HttpResponse<String> limited = post(server, "/v1/chat/completions", "{}", "Bearer a");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).hasValue("3");
      assertThat(limited.body()).contains("\"code\":\"rate_limit_exceeded\"");
      HttpResponse<String> page = post(server, "/v1/chat/completions", "{}", "Bearer a");
      assertThat(page.statusCode()).isEqualTo(502);
      assertThat(page.body()).isEqualTo("<html>bad gateway</html>");
      assertThat(post(server, "/v1/chat/completions", "{}", "Bearer a").statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> server.enqueue(Fault.trickle(java.time.Duration.ofMillis(1))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MockModelServer does not serve");
    }
  }
}
