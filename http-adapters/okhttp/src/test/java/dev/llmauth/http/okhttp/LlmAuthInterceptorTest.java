package dev.llmauth.http.okhttp;

import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.RotatingCredential;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Credential;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.MediaType;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        .hasMessageContaining(chainKnowsRedirects() ? "followRedirects(false)" : "before OkHttp 5.4");
    assertThat(authorizations(server)).isEmpty();
  }

  @Test
  void aloneItNeverLetsStaticOrTokenHeadersFollowARedirectToAnotherHost() throws Exception {
    try (Redirect redirect = new Redirect()) {
      RequestAuthenticator withHeaders = RequestAuthenticator.of(ProviderConfig.builder("test")
          .headers(Map.of("X-Extra", "static-value")).build(), new HeaderCredential("tok-a", "X-Account", "acct-1"));
      OkHttpClient following = new OkHttpClient.Builder().addInterceptor(LlmAuthInterceptor.of(withHeaders)).build();
      try {
        assertThatThrownBy(() -> following.newCall(redirect.request()).execute()).isInstanceOf(IOException.class)
            .hasMessageContaining("X-Extra").hasMessageContaining("LlmAuthInterceptor.install");
      } finally {
        close(following);
      }
      assertThat(redirect.elsewhere).isEmpty();
      assertThat(redirect.sentHere).isEmpty();

      OkHttpClient notFollowing = new OkHttpClient.Builder().followRedirects(false)
          .addInterceptor(LlmAuthInterceptor.of(withHeaders)).build();
      try {
        if (chainKnowsRedirects()) {
          try (Response response = notFollowing.newCall(redirect.request()).execute()) {
            assertThat(response.code()).isEqualTo(307);
          }
          assertThat(redirect.sentHere).singleElement().satisfies(h -> {
            assertThat(h.get("X-extra")).containsExactly("static-value");
            assertThat(h.get("X-account")).containsExactly("acct-1");
          });
        } else {
          assertThatThrownBy(() -> notFollowing.newCall(redirect.request()).execute())
              .isInstanceOf(IOException.class).hasMessageContaining("before OkHttp 5.4");
          assertThat(redirect.sentHere).isEmpty();
        }
      } finally {
        close(notFollowing);
      }
      assertThat(redirect.elsewhere).isEmpty();
    }
  }

  @Test
  void installedItLeavesTheCredentialBehindOnARedirectToAnotherHost() throws Exception {
    try (Redirect redirect = new Redirect()) {
      RequestAuthenticator dataHeader = RequestAuthenticator.of(ProviderConfig.builder("test")
          .baseUrl("http://127.0.0.1:9/v1").providerDataHeader("X-Provider-Data").build(), credential);
      OkHttpClient installed = LlmAuthInterceptor.install(new OkHttpClient.Builder(), dataHeader).build();
      try (Response response = installed.newCall(redirect.request()).execute()) {
        assertThat(response.code()).isEqualTo(200);
      } finally {
        close(installed);
      }
      assertThat(redirect.sentHere).singleElement().satisfies(h ->
          assertThat(h.get("X-provider-data")).singleElement().asString().contains("tok-1"));
      assertThat(redirect.elsewhere).singleElement().satisfies(headers -> assertThat(headers.keySet())
          .noneMatch(name -> name.equalsIgnoreCase("X-Provider-Data") || name.equalsIgnoreCase("Authorization")));
    }
  }

  @Test
  void installedItLeavesStaticAndTokenHeadersBehindOnARedirectToAnotherHost() throws Exception {
    try (Redirect redirect = new Redirect()) {
      RequestAuthenticator withHeaders = RequestAuthenticator.of(ProviderConfig.builder("test")
          .headers(Map.of("X-Extra", "static-value")).build(), new HeaderCredential("tok-a", "X-Account", "acct-1"));
      OkHttpClient installed = LlmAuthInterceptor.install(new OkHttpClient.Builder(), withHeaders).build();
      try (Response response = installed.newCall(redirect.request()).execute()) {
        assertThat(response.code()).isEqualTo(200);
      } finally {
        close(installed);
      }
      assertThat(redirect.sentHere).singleElement().satisfies(h -> {
        assertThat(h.get("X-extra")).containsExactly("static-value");
        assertThat(h.get("X-account")).containsExactly("acct-1");
        assertThat(h.get("Authorization")).containsExactly("Bearer tok-a");
      });
      assertThat(redirect.elsewhere).singleElement().satisfies(headers -> assertThat(headers.keySet())
          .noneMatch(name -> name.equalsIgnoreCase("X-Extra") || name.equalsIgnoreCase("X-Account")
              || name.equalsIgnoreCase("Authorization")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sk-live\u200bA1b2C3d4", "sk-live-A1b2C3d4\r\nX-Injected: 1", "sk-live-\u00e9A1b2C3d4"})
  void aKeyOkHttpRefusesFailsTheCallWithoutATraceOfTheKey(String key) throws Exception {
    List<RequestAuthenticator> authenticators = new java.util.ArrayList<>(List.of(
        RequestAuthenticator.of(ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
            .baseUrl("http://127.0.0.1:9/openai/v1").build(),
            new HeaderCredential(key, Credential.TokenUse.API_KEY_HEADER)),
        RequestAuthenticator.of(ProviderConfig.builder("bearer").build(),
            new HeaderCredential(key, Credential.TokenUse.BEARER))));
    if (key.indexOf('\n') < 0) {
      // In the provider-data header the key sits in a JSON string, where a line break is escaped: it is sent.
      authenticators.add(RequestAuthenticator.of(ProviderConfig.builder("stack").baseUrl("http://127.0.0.1:9/v1")
          .providerDataHeader("X-Provider-Data").build(), new HeaderCredential(key, Credential.TokenUse.BEARER)));
    }
    for (RequestAuthenticator authenticator : authenticators) {
      OkHttpClient installed = LlmAuthInterceptor.install(new OkHttpClient.Builder(), authenticator).build();
      Request request = new Request.Builder().url(chat().toString()).build();
      Throwable failure;
      try {
        failure = org.assertj.core.api.Assertions.catchThrowable(() -> installed.newCall(request).execute());
      } finally {
        close(installed);
      }
      assertThat(failure).as(authenticator.provider()).isInstanceOf(IOException.class)
          .hasMessageContaining("provider '" + authenticator.provider() + "'")
          .hasMessageContaining("visible ASCII");
      StringWriter trace = new StringWriter();
      failure.printStackTrace(new PrintWriter(trace));
      assertThat(trace.toString()).as(authenticator.provider()).doesNotContain("A1b2C3d4");
    }
    assertThat(server.recorded()).isEmpty();
  }

  /** Two loopback servers: the first answers 307 to the second, on another port (another origin). */
  private static final class Redirect implements AutoCloseable {
    final List<Map<String, List<String>>> sentHere = new CopyOnWriteArrayList<>();
    final List<Map<String, List<String>>> elsewhere = new CopyOnWriteArrayList<>();
    private final HttpServer other;
    private final HttpServer redirecting;

    Redirect() throws IOException {
      other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      other.createContext("/", ex -> {
        ex.getRequestBody().readAllBytes();
        elsewhere.add(Map.copyOf(ex.getRequestHeaders()));
        ex.sendResponseHeaders(200, -1);
        ex.close();
      });
      redirecting = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      redirecting.createContext("/", ex -> {
        ex.getRequestBody().readAllBytes();
        sentHere.add(Map.copyOf(ex.getRequestHeaders()));
        ex.getResponseHeaders().set("Location", "http://localhost:" + other.getAddress().getPort() + "/v1/x");
        ex.sendResponseHeaders(307, -1);
        ex.close();
      });
      other.start();
      redirecting.start();
    }

    Request request() {
      return new Request.Builder()
          .url("http://127.0.0.1:" + redirecting.getAddress().getPort() + "/v1/chat/completions")
          .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    }

    @Override
    public void close() {
      redirecting.stop(0);
      other.stop(0);
    }
  }

  /** A fixed token, with one header of its own where given. */
  private static final class HeaderCredential implements Credential {
    private final AccessToken token;
    private final TokenUse use;

    HeaderCredential(String token, TokenUse use) {
      this.token = AccessToken.nonExpiring(Secret.of(token));
      this.use = use;
    }

    HeaderCredential(String token, String header, String value) {
      this.token = AccessToken.nonExpiring(Secret.of(token)).withHeaders(Map.of(header, value));
      this.use = TokenUse.BEARER;
    }

    @Override
    public String method() {
      return "fixed";
    }

    @Override
    public TokenUse use() {
      return use;
    }

    @Override
    public String describe() {
      return "fixed test credential";
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

  /** Whether this OkHttp tells interceptors if the client follows redirects (5.4 and later). */
  private static boolean chainKnowsRedirects() {
    String[] version = OkHttp.VERSION.split("[.-]");
    int major = Integer.parseInt(version[0]);
    return major > 5 || major == 5 && Integer.parseInt(version[1]) >= 4;
  }

  private static void close(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
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
