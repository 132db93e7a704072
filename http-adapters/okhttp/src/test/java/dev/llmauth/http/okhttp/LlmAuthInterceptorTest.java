package dev.llmauth.http.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AuthException;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmAuthInterceptorTest {
  private final TestSupport.Server server = new TestSupport.Server();
  private final TestSupport.RotatingCredential credential = new TestSupport.RotatingCredential();
  private final OkHttpClient client = new OkHttpClient.Builder()
      .addInterceptor(LlmAuthInterceptor.of(TestSupport.authenticator(credential))).build();

  @AfterEach
  void stop() {
    server.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Test
  void setsTheTokenOnACopyAndKeepsOtherHeaders() throws Exception {
    Request request = new Request.Builder().url(server.uri().toString()).header("authorization", "Bearer mine")
        .header("X-Keep", "kept").post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.body().string()).isEqualTo("ok kept");
    }
    assertThat(server.authorizations).containsExactly("Bearer tok-1");
    assertThat(request.headers("Authorization")).containsExactly("Bearer mine");
  }

  @Test
  void replaysA401OnceWithANewTokenAndNeverLoops() throws Exception {
    server.rejected.add("Bearer tok-1");
    Request request = new Request.Builder().url(server.uri().toString())
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    server.rejected.add("Bearer tok-2");
    server.rejected.add("Bearer tok-3");
    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.body().string()).isEqualTo("denied");
    }
    assertThat(server.authorizations).containsExactly("Bearer tok-1", "Bearer tok-2", "Bearer tok-2",
        "Bearer tok-3");
  }

  @Test
  void aOneShotBodyIsNotReplayed() throws Exception {
    server.rejected.add("Bearer tok-1");
    RequestBody oneShot = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/json");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("{}");
      }

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
    Request request = new Request.Builder().url(server.uri().toString()).post(oneShot).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(401);
    }
    assertThat(server.authorizations).containsExactly("Bearer tok-1");
    assertThat(credential.fetches).hasValue(1);
  }

  @Test
  void aCredentialFailureIsAnIOExceptionCausedByTheAuthException() {
    credential.fail = true;
    Request request = new Request.Builder().url(server.uri().toString()).build();

    assertThatThrownBy(() -> client.newCall(request).execute()).isInstanceOf(IOException.class)
        .hasMessageContaining("test issuer is down").hasCauseInstanceOf(AuthException.class);
    assertThat(server.authorizations).isEmpty();
  }
}
