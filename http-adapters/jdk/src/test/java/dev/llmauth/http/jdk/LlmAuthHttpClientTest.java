package dev.llmauth.http.jdk;

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
  private final TestSupport.Server server = new TestSupport.Server();
  private final TestSupport.RotatingCredential credential = new TestSupport.RotatingCredential();
  private final HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(),
      TestSupport.authenticator(credential));

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void setsTheTokenOnACopyAndKeepsOtherHeaders() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(server.uri()).header("authorization", "Bearer mine")
        .header("X-Keep", "kept").POST(HttpRequest.BodyPublishers.ofString("{}")).build();

    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.body()).isEqualTo("ok kept");
    assertThat(server.authorizations).containsExactly("Bearer tok-1");
    assertThat(request.headers().allValues("Authorization")).containsExactly("Bearer mine");
  }

  @Test
  void replaysA401OnceWithANewTokenAndNeverLoops() throws Exception {
    server.rejected.add("Bearer tok-1");
    HttpRequest request = HttpRequest.newBuilder(server.uri()).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();

    assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok null");
    assertThat(server.authorizations).containsExactly("Bearer tok-1", "Bearer tok-2");

    server.rejected.add("Bearer tok-2");
    server.rejected.add("Bearer tok-3");
    HttpResponse<String> second = client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get();
    assertThat(second.statusCode()).isEqualTo(401);
    assertThat(second.body()).isEqualTo("denied");
    assertThat(server.authorizations).containsExactly("Bearer tok-1", "Bearer tok-2", "Bearer tok-2",
        "Bearer tok-3");
  }

  @Test
  void aCredentialFailureIsAnIOExceptionCausedByTheAuthException() {
    credential.fail = true;
    HttpRequest request = HttpRequest.newBuilder(server.uri()).build();

    assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class).hasMessageContaining("test issuer is down")
        .hasCauseInstanceOf(AuthException.class);
    assertThatThrownBy(() -> client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get())
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
        .hasCauseInstanceOf(AuthException.class);
    assertThat(server.authorizations).isEmpty();
  }

  @Test
  void refusesAClientThatFollowsRedirects() {
    for (HttpClient.Redirect policy : new HttpClient.Redirect[] {HttpClient.Redirect.NORMAL,
        HttpClient.Redirect.ALWAYS}) {
      HttpClient following = HttpClient.newBuilder().followRedirects(policy).build();
      assertThatThrownBy(() -> LlmAuthHttpClient.wrap(following, TestSupport.authenticator(credential)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("followRedirects " + policy)
          .hasMessageContaining("followRedirects(HttpClient.Redirect.NEVER)");
    }
    assertThat(credential.fetches).hasValue(0);
  }
}
