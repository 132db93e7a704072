package dev.llmauth.http.apache;

import java.net.URI;
import java.util.List;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.RotatingCredential;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.RequestAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Credential;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmAuthExecChainHandlerTest {
  private final MockModelServer server = new MockModelServer().start();
  private final RotatingCredential credential = new RotatingCredential();
  private final CloseableHttpClient classic = LlmAuthExecChainHandler
      .install(HttpClients.custom(), authenticator(credential)).build();
  private final CloseableHttpAsyncClient async = LlmAuthAsyncExecChainHandler
      .install(HttpAsyncClients.custom(), authenticator(credential)).build();

  LlmAuthExecChainHandlerTest() {
    async.start();
  }

  @AfterEach
  void stop() throws IOException {
    classic.close();
    async.close();
    server.close();
  }

  @Test
  void classicSetsTheTokenOnACopyAndReplaysA401Once() throws Exception {
    server.rejectToken("tok-1");
    HttpPost post = new HttpPost(chat());
    post.setHeader("authorization", "Bearer mine");
    post.setHeader("X-Keep", "kept");
    post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));

    String body = classic.execute(post, response -> EntityUtils.toString(response.getEntity()));

    assertThat(body).contains("chat.completion");

    assertThat(server.recorded().get(0).header("X-Keep")).isEqualTo("kept");
    assertThat(authorizations(server)).containsExactly("Bearer tok-1", "Bearer tok-2");
    assertThat(post.getHeaders("Authorization")).extracting(h -> h.getValue()).containsExactly("Bearer mine");
  }

  @Test
  void classicDoesNotReplayANonRepeatableEntity() throws Exception {
    server.rejectToken("tok-1");
    HttpPost post = new HttpPost(chat());
    post.setEntity(new InputStreamEntity(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
        ContentType.APPLICATION_JSON));

    int code = classic.execute(post, response -> response.getCode());

    assertThat(code).isEqualTo(401);
    assertThat(authorizations(server)).containsExactly("Bearer tok-1");
  }

  @Test
  void asyncSetsTheTokenAndReplaysA401OnceAndNeverLoops() throws Exception {
    server.rejectToken("tok-1");
    SimpleHttpRequest request = SimpleRequestBuilder.post(chat()).setHeader("X-Keep", "kept")
        .setBody("{}", ContentType.APPLICATION_JSON).build();

    SimpleHttpResponse first = async.execute(request, null).get();
    assertThat(first.getBodyText()).contains("chat.completion");
    assertThat(server.recorded().get(0).header("X-Keep")).isEqualTo("kept");

    server.rejectToken("tok-2");
    server.rejectToken("tok-3");
    SimpleHttpResponse second = async.execute(request, null).get();
    assertThat(second.getCode()).isEqualTo(401);
    assertThat(authorizations(server)).containsExactly("Bearer tok-1", "Bearer tok-2", "Bearer tok-2",
        "Bearer tok-3");
    assertThat(request.getHeaders("Authorization")).isEmpty();
  }

  @Test
  void aCredentialFailureIsAnIOExceptionCausedByTheAuthException() {
    credential.failing(true);

    assertThatThrownBy(() -> classic.execute(new HttpPost(chat()), response -> response.getCode()))
        .isInstanceOf(IOException.class).hasMessageContaining("test issuer is down")
        .hasCauseInstanceOf(AuthException.class);
    assertThatThrownBy(() -> async.execute(SimpleRequestBuilder.get(chat()).build(), null).get())
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
        .hasCauseInstanceOf(AuthException.class);
    assertThat(authorizations(server)).isEmpty();
  }

  @Test
  void aTokenTheClientCannotCarryFailsTheCallWithoutShowingIt() throws Exception {
    String secret = "sk-apache-" + System.nanoTime();
    for (String bad : List.of("\u200b", "\r\nX-Injected: 1", "\u00e9")) {
      for (ProviderConfig config : List.of(ProviderConfig.builder("test").build(),
          ProviderConfig.builder("test").type(ProviderType.AZURE_OPENAI).baseUrl(server.url("/v1").toString()).build(),
          ProviderConfig.builder("test").providerDataHeader("X-Provider-Data").build())) {
        if (config.providerDataHeader() != null && bad.startsWith("\r")) {
          continue; // JSON escapes control characters, so the provider-data header can carry them
        }
        RequestAuthenticator authenticator = RequestAuthenticator.of(config, fixed(secret + bad + "-tail",
            config.type() == ProviderType.AZURE_OPENAI ? Credential.TokenUse.API_KEY_HEADER
                : Credential.TokenUse.BEARER));
        try (CloseableHttpClient c = LlmAuthExecChainHandler.install(HttpClients.custom(), authenticator).build();
            CloseableHttpAsyncClient a = LlmAuthAsyncExecChainHandler.install(HttpAsyncClients.custom(),
                authenticator).build()) {
          a.start();
          Throwable sync = catchThrowable(() -> c.execute(new HttpPost(chat()), response -> response.getCode()));
          // A deadline for declaring the failure only: a lost exception would leave the future pending for ever.
          Throwable async = catchThrowable(() -> a.execute(SimpleRequestBuilder.get(chat()).build(), null)
              .get(30, TimeUnit.SECONDS)).getCause();
          for (Throwable t : List.of(sync, async)) {
            assertThat(t).as("%s via %s", bad, config).isInstanceOf(IOException.class)
                .hasMessageContaining("provider 'test'").hasMessageContaining("the value is not shown");
            for (Throwable x = t; x != null; x = x.getCause()) {
              assertThat(x.toString()).doesNotContain(secret).doesNotContain("tail");
            }
          }
        }
      }
    }
    assertThat(server.recorded()).as("nothing is sent with an altered credential").isEmpty();
  }

  private static Credential fixed(String token, Credential.TokenUse use) {
    return new Credential() {
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
        return "a fixed test token";
      }

      @Override
      public CompletableFuture<AccessToken> token() {
        return CompletableFuture.completedFuture(AccessToken.nonExpiring(Secret.of(token)));
      }

      @Override
      public boolean invalidate(AccessToken token) {
        return false;
      }
    };
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
