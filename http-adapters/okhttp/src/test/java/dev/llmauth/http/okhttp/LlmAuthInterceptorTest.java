package dev.llmauth.http.okhttp;

import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.RotatingCredential;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.config.ProviderConfig;
import java.net.URI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmAuthInterceptorTest {
  private final MockModelServer server = new MockModelServer().start();
  private final RotatingCredential credential = new RotatingCredential();
  private final OkHttpClient client = new OkHttpClient.Builder()
      .addInterceptor(LlmAuthInterceptor.of(authenticator(credential))).build();

  @AfterEach
  void stop() {
    server.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  @Test
  void setsTheTokenOnACopyAndKeepsOtherHeaders() throws Exception {
    Request request = new Request.Builder().url(chat().toString()).header("authorization", "Bearer mine")
        .header("X-Keep", "kept").post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.body().string()).contains("chat.completion");
      assertThat(server.recorded().get(0).header("X-Keep")).isEqualTo("kept");
    }
    assertThat(authorizations(server)).containsExactly("Bearer tok-1");
    assertThat(request.headers("Authorization")).containsExactly("Bearer mine");
  }

  @Test
  void replaysA401OnceWithANewTokenAndNeverLoops() throws Exception {
    server.rejectToken("tok-1");
    Request request = new Request.Builder().url(chat().toString())
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(200);
    }
    server.rejectToken("tok-2");
    server.rejectToken("tok-3");
    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(401);
      assertThat(response.body().string()).contains("invalid_api_key");
    }
    assertThat(authorizations(server)).containsExactly("Bearer tok-1", "Bearer tok-2", "Bearer tok-2",
        "Bearer tok-3");
  }

  @Test
  void aOneShotBodyIsNotReplayed() throws Exception {
    server.rejectToken("tok-1");
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
    Request request = new Request.Builder().url(chat().toString()).post(oneShot).build();

    try (Response response = client.newCall(request).execute()) {
      assertThat(response.code()).isEqualTo(401);
    }
    assertThat(authorizations(server)).containsExactly("Bearer tok-1");
    assertThat(credential.fetches()).isEqualTo(1);
  }

  @Test
  void aCredentialFailureIsAnIOExceptionCausedByTheAuthException() {
    credential.failing(true);
    Request request = new Request.Builder().url(chat().toString()).build();

    assertThatThrownBy(() -> client.newCall(request).execute()).isInstanceOf(IOException.class)
        .hasMessageContaining("test issuer is down").hasCauseInstanceOf(AuthException.class);
    assertThat(authorizations(server)).isEmpty();
  }

  @Test
  void aloneOnAClientThatFollowsRedirectsItRefusesACredentialOutsideAuthorization() {
    RequestAuthenticator dataHeader = RequestAuthenticator.of(ProviderConfig.builder("test")
        .baseUrl("http://127.0.0.1:9/v1").providerDataHeader("X-Provider-Data").build(), credential);
    OkHttpClient following = new OkHttpClient.Builder().addInterceptor(LlmAuthInterceptor.of(dataHeader)).build();
    Request request = new Request.Builder().url(chat().toString())
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();

    assertThatThrownBy(() -> following.newCall(request).execute()).isInstanceOf(IOException.class)
        .hasMessageContaining("X-Provider-Data").hasMessageContaining("LlmAuthInterceptor.install")
        .hasMessageContaining("followRedirects(false)");
    assertThat(authorizations(server)).isEmpty();
  }

  @Test
  void installedItLeavesTheCredentialBehindOnARedirectToAnotherHost() throws Exception {
    List<Map<String, List<String>>> elsewhere = new CopyOnWriteArrayList<>();
    HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    other.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      elsewhere.add(Map.copyOf(ex.getRequestHeaders()));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    HttpServer redirecting = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> sentHere = new CopyOnWriteArrayList<>();
    redirecting.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      sentHere.add(String.valueOf(ex.getRequestHeaders().getFirst("X-Provider-Data")));
      ex.getResponseHeaders().set("Location", "http://localhost:" + other.getAddress().getPort() + "/v1/x");
      ex.sendResponseHeaders(307, -1);
      ex.close();
    });
    other.start();
    redirecting.start();
    RequestAuthenticator dataHeader = RequestAuthenticator.of(ProviderConfig.builder("test")
        .baseUrl("http://127.0.0.1:9/v1").providerDataHeader("X-Provider-Data").build(), credential);
    OkHttpClient installed = LlmAuthInterceptor.install(new OkHttpClient.Builder(), dataHeader).build();
    try {
      Request request = new Request.Builder()
          .url("http://127.0.0.1:" + redirecting.getAddress().getPort() + "/v1/chat/completions")
          .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
      try (Response response = installed.newCall(request).execute()) {
        assertThat(response.code()).isEqualTo(200);
      }
      assertThat(sentHere).singleElement().asString().contains("tok-1");
      assertThat(elsewhere).singleElement().satisfies(headers -> assertThat(headers.keySet())
          .noneMatch(name -> name.equalsIgnoreCase("X-Provider-Data") || name.equalsIgnoreCase("Authorization")));
    } finally {
      installed.dispatcher().executorService().shutdown();
      installed.connectionPool().evictAll();
      redirecting.stop(0);
      other.stop(0);
    }
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
