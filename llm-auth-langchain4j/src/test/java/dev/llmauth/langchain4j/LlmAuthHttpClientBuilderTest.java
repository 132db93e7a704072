package dev.llmauth.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpMethod;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.RotatingCredential;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmAuthHttpClientBuilderTest {
  final MockModelServer model = new MockModelServer().start();

  @AfterEach
  void stop() {
    model.close();
  }

  private ChatModel chatModel(RequestAuthenticator authenticator, String basePath) {
    return OpenAiChatModel.builder().httpClientBuilder(LlmAuthHttpClientBuilder.of(authenticator))
        .baseUrl(model.url(basePath).toString()).modelName("gpt-4o-mini").maxRetries(0).build();
  }

  private StreamingChatModel streamingModel(RequestAuthenticator authenticator) {
    return OpenAiStreamingChatModel.builder().httpClientBuilder(LlmAuthHttpClientBuilder.of(authenticator))
        .baseUrl(model.url("/v1").toString()).modelName("gpt-4o-mini").build();
  }

  /** Collects a streamed answer; {@code onFirst} runs when the first piece arrives. */
  private static final class Collector implements StreamingChatResponseHandler {
    final List<String> partials = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    final Runnable onFirst;

    Collector(Runnable onFirst) {
      this.onFirst = onFirst;
    }

    @Override
    public void onPartialResponse(String partial) {
      if (partials.isEmpty()) {
        onFirst.run();
      }
      partials.add(partial);
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
      done.complete(response);
    }

    @Override
    public void onError(Throwable error) {
      done.completeExceptionally(error);
    }
  }

  private static RequestAuthenticator rotating(MockModelServer model, RotatingCredential credential) {
    return RequestAuthenticator.of(ProviderConfig.builder("rotating").baseUrl(model.url("/v1").toString()).build(),
        credential);
  }

  @Test
  void openAiChatModelSendsTheApiKeyOfLlmAuth() {
    String key = "sk-lc4j-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .set("apiKey", key).headers(Map.of("X-Team", "search")).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      assertThat(chatModel(auth.authenticator("openai"), "/v1").chat("Say hello.")).isEqualTo(MockModelServer.ANSWER);
    }
    assertThat(model.recorded()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/v1/chat/completions");
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
      assertThat(r.header("x-team")).isEqualTo("search");
    });
  }

  @Test
  void anAzureKeyReplacesTheModelsOwnAuthorization() {
    String key = "az-lc4j-" + System.nanoTime();
    ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
        .baseUrl(model.url("/openai/v1").toString()).set("apiKey", key).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(azure))) {
      ChatModel chat = OpenAiChatModel.builder().httpClientBuilder(LlmAuthHttpClientBuilder.of(
          auth.authenticator("azure"))).baseUrl(model.url("/openai/v1").toString()).apiKey("not-the-key")
          .modelName("gpt-4o-mini").build();
      assertThat(chat.chat("Say hello.")).isEqualTo(MockModelServer.ANSWER);
    }
    RecordedRequest seen = model.recorded().get(0);
    assertThat(seen.header("api-key")).isEqualTo(key);
    assertThat(seen.header("authorization")).isNull();
  }

  @Test
  void aCodexSignInCarriesItsAccountHeader(@TempDir Path home) throws IOException {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      String access = issuer.issueAccessToken(Duration.ofHours(1));
      Path authFile = home.resolve("auth.json");
      Files.writeString(authFile, new Gson().toJson(Map.of("last_refresh", "2026-01-01T00:00:00Z", "tokens",
          Map.of("id_token", issuer.issueIdToken(), "access_token", access,
              "refresh_token", issuer.issueRefreshToken()))));
      ProviderConfig codex = ProviderConfig.builder("codex").type(ProviderType.CODEX)
          .baseUrl(model.url("/backend-api/codex").toString())
          .set("codexOAuth", new CodexOAuthSettings(authFile.toString(), issuer.issuer().toString(), null).toBlock())
          .build();
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(codex))) {
        assertThat(chatModel(auth.authenticator("codex"), "/backend-api/codex").chat("Say hello."))
            .isEqualTo(MockModelServer.ANSWER);
      }
    }
    assertThat(model.recorded()).singleElement().satisfies(r -> {
      assertThat(r.header("chatgpt-account-id")).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
      assertThat(r.header("authorization")).startsWith("Bearer ey");
    });
  }

  @Test
  void aRejectedTokenIsReplacedAndTheRequestSentOnceMore() {
    model.rejectToken("tok-1");
    assertThat(chatModel(rotating(model, new RotatingCredential()), "/v1").chat("Say hello."))
        .isEqualTo(MockModelServer.ANSWER);
    assertThat(model.recorded()).extracting(r -> r.header("authorization"))
        .containsExactly("Bearer tok-1", "Bearer tok-2");
  }

  @Test
  void aSecond401GoesBackToTheCallerWithoutTheKey() {
    String key = "sk-rejected-" + System.nanoTime();
    model.rejectToken(key);
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .set("apiKey", key).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      ChatModel chat = chatModel(auth.authenticator("openai"), "/v1");
      assertThatThrownBy(() -> chat.chat("Say hello."))
          .isInstanceOf(dev.langchain4j.exception.AuthenticationException.class)
          .satisfies(e -> assertThat(e.toString()).contains("invalid_api_key").doesNotContain(key));
    }
    assertThat(model.recorded()).as("a static key cannot change: no replay").hasSize(1);
  }

  @Test
  void aStreamArrivesPieceByPieceAsTheServerSendsIt() throws Exception {
    String key = "sk-stream-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .set("apiKey", key).build();
    model.holdStreams();
    List<Integer> heldAtFirstPiece = new ArrayList<>();
    Collector collector = new Collector(() -> {
      heldAtFirstPiece.add(model.heldStreams());
      model.releaseStreams();
    });
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      streamingModel(auth.authenticator("openai")).chat("Say hello.", collector);
      assertThat(collector.done.get().aiMessage().text()).isEqualTo(MockModelServer.ANSWER);
    }
    // The server held the stream after its first event: a client that buffered the body would have seen the first
    // piece only after the server sent the last.
    assertThat(heldAtFirstPiece).containsExactly(1);
    assertThat(collector.partials.size()).isGreaterThan(1);
    assertThat(String.join("", collector.partials)).isEqualTo(MockModelServer.ANSWER);
    assertThat(model.recorded()).singleElement().satisfies(r -> {
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
      assertThat(r.bodyText()).containsPattern("\"stream\"\\s*:\\s*true");
    });
  }

  @Test
  void aRejectedStreamIsSentOnceMoreWithANewToken() throws Exception {
    model.rejectToken("tok-1");
    Collector collector = new Collector(() -> {});
    streamingModel(rotating(model, new RotatingCredential())).chat("Say hello.", collector);
    assertThat(collector.done.get().aiMessage().text()).isEqualTo(MockModelServer.ANSWER);
    assertThat(model.recorded()).extracting(r -> r.header("authorization"))
        .containsExactly("Bearer tok-1", "Bearer tok-2");
  }

  @Test
  void aStreamWithoutATokenFailsInTheListenerAndSendsNothing() {
    RotatingCredential credential = new RotatingCredential();
    credential.failing(true);
    Collector collector = new Collector(() -> {});
    streamingModel(rotating(model, credential)).chat("Say hello.", collector);
    assertThatThrownBy(collector.done::get).isInstanceOf(ExecutionException.class)
        .hasRootCauseInstanceOf(AuthException.class).hasStackTraceContaining("test issuer is down");
    assertThat(model.recorded()).isEmpty();
  }

  @Test
  void aRequestWithoutATokenThrowsTheAuthExceptionAndSendsNothing() {
    RotatingCredential credential = new RotatingCredential();
    credential.failing(true);
    HttpClient client = LlmAuthHttpClientBuilder.wrap(JdkHttpClient.builder().build(), rotating(model, credential));
    HttpRequest request = HttpRequest.builder().method(HttpMethod.POST).url(model.url("/v1/chat/completions")
        .toString()).body("{}").build();
    assertThatThrownBy(() -> client.execute(request)).isInstanceOf(AuthException.class)
        .hasMessageContaining("test issuer is down");
    assertThat(model.recorded()).isEmpty();
  }

  @Test
  void theDefaultClientFollowsNoRedirectSoTheCredentialStaysWithItsHost() {
    try (MockModelServer other = new MockModelServer().start()) {
      model.redirectTo(307, java.net.URI.create("http://localhost:" + other.port()));
      ChatModel chat = chatModel(rotating(model, new RotatingCredential()), "/v1");
      assertThatThrownBy(() -> chat.chat("Say hello.")).satisfies(e -> assertThat(e.toString()).doesNotContain("tok-"));
      assertThat(other.recorded()).isEmpty();
      assertThat(model.recorded()).singleElement()
          .satisfies(r -> assertThat(r.header("authorization")).isEqualTo("Bearer tok-1"));
    }
  }

  @Test
  void theCallersRequestIsNotChanged() {
    HttpClient client = LlmAuthHttpClientBuilder.wrap(JdkHttpClient.builder().build(),
        rotating(model, new RotatingCredential()));
    HttpRequest request = HttpRequest.builder().method(HttpMethod.POST).url(model.url("/v1/chat/completions")
        .toString()).addHeader("Authorization", "Bearer caller").body("{}").build();
    assertThat(client.execute(request).statusCode()).isEqualTo(200);
    assertThat(request.headers().get("Authorization")).containsExactly("Bearer caller");
    assertThat(model.recorded().get(0).header("authorization")).isEqualTo("Bearer tok-1");
  }

  @Test
  void timeoutsGoToTheWrappedBuilder() {
    LlmAuthHttpClientBuilder builder = LlmAuthHttpClientBuilder.of(JdkHttpClient.builder(),
        rotating(model, new RotatingCredential()));
    builder.connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(7));
    assertThat(builder.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(builder.readTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(builder.toString()).contains("rotating").doesNotContain("tok-");
  }
}
