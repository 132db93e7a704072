package dev.llmauth.http.jdk;

import java.net.URI;
import java.util.List;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.RotatingCredential;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.RequestAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AuthException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmAuthHttpClientTest {
  private final MockModelServer server = new MockModelServer();
  private final RotatingCredential credential = new RotatingCredential();
  private final HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(),
      authenticator(credential));

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void setsTheTokenOnACopyAndKeepsOtherHeaders() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(chat()).header("authorization", "Bearer mine")
        .header("X-Keep", "kept").POST(HttpRequest.BodyPublishers.ofString("{}")).build();

    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.body()).contains("chat.completion");

    assertThat(server.recorded().get(0).header("X-Keep")).isEqualTo("kept");
    assertThat(authorizations(server)).containsExactly("Bearer tok-1");
    assertThat(request.headers().allValues("Authorization")).containsExactly("Bearer mine");
  }

  @Test
  void replaysA401OnceWithANewTokenAndNeverLoops() throws Exception {
    server.rejectToken("tok-1");
    HttpRequest request = HttpRequest.newBuilder(chat()).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();

    assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).body()).contains("chat.completion");
    assertThat(authorizations(server)).containsExactly("Bearer tok-1", "Bearer tok-2");

    server.rejectToken("tok-2");
    server.rejectToken("tok-3");
    HttpResponse<String> second = client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get();
    assertThat(second.statusCode()).isEqualTo(401);
    assertThat(second.body()).contains("invalid_api_key");
    assertThat(authorizations(server)).containsExactly("Bearer tok-1", "Bearer tok-2", "Bearer tok-2",
        "Bearer tok-3");
  }

  @Test
  void aCredentialFailureIsAnIOExceptionCausedByTheAuthException() {
    credential.failing(true);
    HttpRequest request = HttpRequest.newBuilder(chat()).build();

    assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class).hasMessageContaining("test issuer is down")
        .hasCauseInstanceOf(AuthException.class);
    assertThatThrownBy(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get())
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
        .hasCauseInstanceOf(AuthException.class);
    assertThat(authorizations(server)).isEmpty();
  }

  @Test
  void refusesAClientThatFollowsRedirects() {
    for (HttpClient.Redirect policy : new HttpClient.Redirect[] {HttpClient.Redirect.NORMAL,
        HttpClient.Redirect.ALWAYS}) {
      HttpClient following = HttpClient.newBuilder().followRedirects(policy).build();
      assertThatThrownBy(() -> LlmAuthHttpClient.wrap(following, authenticator(credential)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("followRedirects " + policy)
          .hasMessageContaining("followRedirects(HttpClient.Redirect.NEVER)");
    }
    assertThat(credential.fetches()).isEqualTo(0);
  }

  private URI chat() {
    return server.url("/v1/chat/completions");
  }

  private static RequestAuthenticator authenticator(RotatingCredential credential) {
    return RequestAuthenticator.of(ProviderConfig.builder("test").build(), credential);
  }

  private static List<String> authorizations(MockModelServer server) {
    return server.recorded().stream().map(r -> String.valueOf(r.header("Authorization"))).toList();
  }
}
