package dev.llmauth.http.apache;

import java.net.URI;
import java.util.List;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.RotatingCredential;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.RequestAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AuthException;
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
  private final MockModelServer server = new MockModelServer();
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
