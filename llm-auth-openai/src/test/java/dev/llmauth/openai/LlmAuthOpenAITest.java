package dev.llmauth.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientAsync;
import com.openai.client.okhttp.OkHttpClient;
import com.openai.core.ClientOptions;
import com.openai.core.http.HttpClient;
import com.openai.core.http.HttpMethod;
import com.openai.core.http.HttpRequest;
import com.openai.core.http.HttpResponse;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.RotatingCredential;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlmAuthOpenAITest {
  final MockModelServer model = new MockModelServer().start();

  @AfterEach
  void stop() {
    model.close();
  }

  private static ChatCompletionCreateParams hello() {
    return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello.").build();
  }

  private static String text(ChatCompletion completion) {
    return completion.choices().get(0).message().content().orElse("");
  }

  private ProviderConfig openai(String key) {
    return ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString()).set("apiKey", key).build();
  }

  /** A Codex sign-in whose stored access token is {@code access}. */
  private static ProviderConfig codex(MockOAuthServer issuer, MockModelServer model, Path home, String access)
      throws IOException {
    Path authFile = home.resolve("auth.json");
    Files.writeString(authFile, new Gson().toJson(Map.of("last_refresh", "2026-01-01T00:00:00Z", "tokens",
        Map.of("id_token", issuer.issueIdToken(), "access_token", access,
            "refresh_token", issuer.issueRefreshToken()))));
    return ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .baseUrl(model.url("/backend-api/codex").toString())
        .set("codexOAuth", new CodexOAuthSettings(authFile.toString(), issuer.issuer().toString(), null).toBlock())
        .build();
  }

  @Test
  void aChatCompletionCarriesTheApiKeyAsABearerTokenAndTheStaticHeaders() {
    String key = "sk-openai-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .set("apiKey", key).headers(Map.of("X-Team", "search")).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("openai"));
      try {
        assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
        assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
      } finally {
        client.close();
      }
    }
    assertThat(model.recorded()).hasSize(2).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/v1/chat/completions");
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
      assertThat(r.header("x-team")).isEqualTo("search");
    });
  }

  @Test
  void anAzureKeyTravelsInTheApiKeyHeaderWithoutAuthorization() {
    String key = "az-key-" + System.nanoTime();
    ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
        .baseUrl(model.url("/openai/v1").toString()).set("apiKey", key).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(azure))) {
      OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("azure"));
      try {
        assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
      } finally {
        client.close();
      }
    }
    RecordedRequest seen = model.recorded().get(0);
    assertThat(seen.path()).isEqualTo("/openai/v1/chat/completions");
    assertThat(seen.header("api-key")).isEqualTo(key);
    assertThat(seen.header("authorization")).isNull();
  }

  @Test
  void aStreamArrivesEventByEventAsTheServerSendsIt() {
    String key = "sk-stream-" + System.nanoTime();
    model.holdStreams();
    StringBuilder text = new StringBuilder();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("openai"));
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(hello())) {
        Iterator<ChatCompletionChunk> chunks = stream.stream().iterator();
        ChatCompletionChunk first = chunks.next();
        // The server holds every later event until released: a transport that buffered the body would have
        // returned the first one only after the server sent the last.
        assertThat(model.heldStreams()).isEqualTo(1);
        assertThat(first.choices().get(0).delta().role()).isPresent();
        model.releaseStreams();
        first.choices().get(0).delta().content().ifPresent(text::append);
        chunks.forEachRemaining(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
      } finally {
        client.close();
      }
    }
    assertThat(text.toString()).isEqualTo(MockModelServer.ANSWER);
    assertThat(model.recorded()).singleElement().satisfies(r -> {
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
      assertThat(r.bodyText()).contains("\"stream\":true");
    });
  }

  @Test
  void theTransportPassesTheEventStreamOnByteForByte() throws IOException {
    RequestAuthenticator authenticator = RequestAuthenticator.of(
        ProviderConfig.builder("rotating").baseUrl(model.url("/v1").toString()).build(), new RotatingCredential());
    HttpClient transport = LlmAuthOpenAI.transport(OkHttpClient.builder().build(), authenticator);
    byte[] json = "{\"model\":\"m\",\"stream\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.builder().method(HttpMethod.POST).baseUrl(model.url("/v1").toString())
        .addPathSegments("chat", "completions").body(body(json, true)).build();
    try (HttpResponse response = transport.execute(request)) {
      assertThat(new String(response.body().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(String.join("", MockModelServer.chatEvents(1, "m")));
    } finally {
      transport.close();
    }
    assertThat(model.recorded().get(0).header("authorization")).isEqualTo("Bearer tok-1");
  }

  /** A JSON body that can or cannot be sent twice. */
  private static com.openai.core.http.HttpRequestBody body(byte[] json, boolean repeatable) {
    return new com.openai.core.http.HttpRequestBody() {
      @Override
      public void writeTo(java.io.OutputStream out) {
        try {
          out.write(json);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public String contentType() {
        return "application/json";
      }

      @Override
      public long contentLength() {
        return json.length;
      }

      @Override
      public boolean repeatable() {
        return repeatable;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void aBodyThatCannotBeSentTwiceIsNotReplayedButItsRejectedTokenIsDropped() {
    model.rejectToken("tok-1");
    RequestAuthenticator authenticator = RequestAuthenticator.of(
        ProviderConfig.builder("rotating").baseUrl(model.url("/v1").toString()).build(), new RotatingCredential());
    HttpClient transport = LlmAuthOpenAI.transport(OkHttpClient.builder().build(), authenticator);
    byte[] json = "{\"model\":\"m\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      for (int expected : new int[] {401, 200}) {
        try (HttpResponse response = transport.execute(HttpRequest.builder().method(HttpMethod.POST)
            .baseUrl(model.url("/v1").toString()).addPathSegments("chat", "completions").body(body(json, false))
            .build())) {
          assertThat(response.statusCode()).isEqualTo(expected);
        }
      }
    } finally {
      transport.close();
    }
    assertThat(model.recorded()).extracting(r -> r.header("authorization"))
        .containsExactly("Bearer tok-1", "Bearer tok-2");
  }

  @Test
  void theResponsesApiOfTheCodexBackendCarriesTheSignInAndTheAccountHeader(@TempDir Path home) throws IOException {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      String access = issuer.issueAccessToken(Duration.ofHours(1));
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(codex(issuer, model, home, access)))) {
        OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("codex"));
        try {
          Response response = client.responses().create(ResponseCreateParams.builder().model("gpt-5-codex")
              .input("Say hello.").build());
          assertThat(response.output().get(0).asMessage().content().get(0).asOutputText().text())
              .isEqualTo(MockModelServer.ANSWER);
        } finally {
          client.close();
        }
      }
      assertThat(model.recorded()).singleElement().satisfies(r -> {
        assertThat(r.path()).isEqualTo("/backend-api/codex/responses");
        assertThat(r.header("authorization")).isEqualTo("Bearer " + access);
        assertThat(r.header("chatgpt-account-id")).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
      });
      assertThat(issuer.refreshCount()).isZero();
    }
  }

  @Test
  void aStreamOfTheResponsesApiArrivesThroughTheAsyncClient() {
    String key = "sk-responses-" + System.nanoTime();
    StringBuilder text = new StringBuilder();
    List<String> completed = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      OpenAIClientAsync client = LlmAuthOpenAI.asyncClient(auth.authenticator("openai"));
      try {
        client.responses().createStreaming(ResponseCreateParams.builder().model("gpt-5").input("Say hello.").build())
            .subscribe(event -> {
              event.outputTextDelta().ifPresent(d -> text.append(d.delta()));
              event.completed().ifPresent(c -> completed.add(c.response().id()));
            }).onCompleteFuture().join();
      } finally {
        client.close();
      }
    }
    assertThat(text.toString()).isEqualTo(MockModelServer.ANSWER);
    assertThat(completed).containsExactly("resp_mock_1");
    assertThat(model.recorded()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/v1/responses");
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
    });
  }

  @Test
  void aRejectedOAuthTokenIsRefreshedAndTheRequestSentOnceMore(@TempDir Path home) throws IOException {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      String stale = issuer.issueAccessToken(Duration.ofHours(1));
      model.rejectToken(stale);
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(codex(issuer, model, home, stale)))) {
        OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("codex"));
        try {
          assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
        } finally {
          client.close();
        }
      }
      assertThat(issuer.refreshCount()).isEqualTo(1);
      List<RecordedRequest> seen = model.recorded();
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer " + stale);
      assertThat(seen.get(1).header("authorization")).startsWith("Bearer ").isNotEqualTo("Bearer " + stale);
    }
  }

  @Test
  void theAsyncClientReplaysA401WithANewToken() {
    model.rejectToken("tok-1");
    RotatingCredential credential = new RotatingCredential();
    RequestAuthenticator authenticator = RequestAuthenticator.of(
        ProviderConfig.builder("rotating").baseUrl(model.url("/v1").toString()).build(), credential);
    OpenAIClientAsync client = LlmAuthOpenAI.asyncClient(authenticator);
    try {
      assertThat(text(client.chat().completions().create(hello()).join())).isEqualTo(MockModelServer.ANSWER);
    } finally {
      client.close();
    }
    assertThat(model.recorded()).extracting(r -> r.header("authorization"))
        .containsExactly("Bearer tok-1", "Bearer tok-2");
  }

  @Test
  void aSecond401GoesBackToTheCallerWithoutTheKey() {
    String key = "sk-rejected-" + System.nanoTime();
    model.rejectToken(key);
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("openai"));
      try {
        assertThatThrownBy(() -> client.chat().completions().create(hello()))
            .isInstanceOf(UnauthorizedException.class)
            .satisfies(e -> assertThat(e.toString()).doesNotContain(key));
      } finally {
        client.close();
      }
    }
    assertThat(model.recorded()).as("a static key cannot change: no replay").hasSize(1);
  }

  @Test
  void everyRetryOfTheSdkIsAuthorizedWithTheCurrentToken() {
    model.enqueue(Fault.status(503));
    RequestAuthenticator authenticator = RequestAuthenticator.of(
        ProviderConfig.builder("counting").baseUrl(model.url("/v1").toString()).build(), new CountingCredential());
    OpenAIClient client = LlmAuthOpenAI.client(authenticator);
    try {
      assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
    } finally {
      client.close();
    }
    List<RecordedRequest> seen = model.recorded();
    assertThat(seen).extracting(r -> r.header("authorization")).containsExactly("Bearer tok-1", "Bearer tok-2");
    assertThat(seen).extracting(r -> r.header("x-stainless-retry-count")).containsExactly("0", "1");
  }

  @Test
  void aRedirectToAnotherHostReceivesNoCredential() {
    try (MockModelServer other = new MockModelServer().start()) {
      // Same loopback interface, another host name: another origin.
      model.redirectTo(307, java.net.URI.create("http://localhost:" + other.port()));
      for (ProviderConfig provider : List.of(openai("sk-redirected-1"),
          ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI).baseUrl(model.url("/openai/v1").toString())
              .set("apiKey", "az-redirected-2").build())) {
        try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(provider))) {
          OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator(provider.name()));
          try {
            assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
          } finally {
            client.close();
          }
        }
      }
      assertThat(other.recorded()).hasSize(2).allSatisfy(r -> {
        assertThat(r.header("authorization")).isNull();
        assertThat(r.header("api-key")).isNull();
      });
    }
  }

  @Test
  void aProviderDataHeaderIsRefusedOnTheRedirectFollowingTransport() {
    ProviderConfig gateway = ProviderConfig.builder("gateway").baseUrl(model.url("/v1").toString())
        .set("apiKey", "gw-secret-3").providerDataHeader("X-LlamaStack-Provider-Data").build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(gateway))) {
      assertThatThrownBy(() -> LlmAuthOpenAI.client(auth.authenticator("gateway")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("providers.gateway.providerDataHeader").hasMessageContaining("LlmAuthOpenAI.transport")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("gw-secret-3"));
    }
    assertThat(model.recorded()).isEmpty();
  }

  @Test
  void theSdksDebugLogShowsTheRequestButNotTheCredential() {
    String key = "sk-logged-" + System.nanoTime();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      OpenAIClient client = new com.openai.client.OpenAIClientImpl(LlmAuthOpenAI.clientOptions(
          auth.authenticator("openai")).logLevel(com.openai.core.LogLevel.DEBUG).build());
      try {
        client.chat().completions().create(hello());
      } finally {
        client.close();
      }
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("/v1/chat/completions").doesNotContain(key);
    assertThat(model.recorded().get(0).header("authorization")).isEqualTo("Bearer " + key);
  }

  @Test
  void theSdkHoldsNoCopyOfTheSecret() {
    String key = "sk-hidden-" + System.nanoTime();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      ClientOptions options = LlmAuthOpenAI.clientOptions(auth.authenticator("openai")).build();
      try {
        assertThat(options.apiKey()).isEmpty();
        assertThat(options.toString()).doesNotContain(key);
        assertThat(options.httpClient().toString()).doesNotContain(key);
        assertThat(((com.openai.credential.BearerTokenCredential) options.credential()).token()).doesNotContain(key);
      } finally {
        options.close();
      }
    }
  }

  @Test
  void aSyncCallInterruptedWhileItsTokenIsFetchedSendsNothing(@TempDir Path home) throws Exception {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      issuer.holdTokens();
      String expired = issuer.issueAccessToken(Duration.ofMinutes(-5));
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(codex(issuer, model, home, expired)))) {
        OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("codex"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> {
          try {
            client.chat().completions().create(hello());
          } catch (RuntimeException e) {
            failure.set(e);
          }
        });
        caller.start();
        awaitRefreshRequest(issuer);
        caller.interrupt();
        caller.join();
        issuer.releaseTokens();
        client.close();
        assertThat(failure.get()).isInstanceOf(AuthException.class).hasMessageContaining("interrupted");
        assertThat(model.recorded()).isEmpty();
      }
    }
  }

  /**
   * The transport's own future: openai-java 4.101.0's async services derive their futures with {@code thenApply},
   * so cancelling what {@code client.async()} returns does not reach the transport.
   */
  @Test
  void anAsyncRequestCancelledWhileItsTokenIsFetchedSendsNothing(@TempDir Path home) throws Exception {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      issuer.holdTokens();
      String expired = issuer.issueAccessToken(Duration.ofMinutes(-5));
      try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(codex(issuer, model, home, expired)))) {
        RequestAuthenticator authenticator = auth.authenticator("codex");
        HttpClient transport = LlmAuthOpenAI.transport(OkHttpClient.builder().build(), authenticator);
        try {
          CompletableFuture<HttpResponse> cancelled = transport.executeAsync(HttpRequest.builder()
              .method(HttpMethod.POST).baseUrl(model.url("/backend-api/codex").toString())
              .addPathSegments("chat", "completions").build());
          awaitRefreshRequest(issuer);
          assertThat(cancelled.cancel(true)).isTrue();
          issuer.releaseTokens();
          // The refreshed token serves the next call; the cancelled one must not have been sent meanwhile.
          OpenAIClient client = LlmAuthOpenAI.client(authenticator);
          try {
            assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
          } finally {
            client.close();
          }
        } finally {
          transport.close();
        }
      }
      assertThat(model.recorded()).hasSize(1);
      assertThat(issuer.refreshCount()).isEqualTo(1);
    }
  }

  @Test
  void aBearerTokenCredentialGivesTheSdkTheCurrentToken() {
    String key = "sk-supplied-" + System.nanoTime();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai(key)))) {
      ClientOptions options = ClientOptions.builder()
          .httpClient(OkHttpClient.builder().build())
          .baseUrl(model.url("/v1").toString())
          .credential(LlmAuthOpenAI.bearerTokenCredential(auth.authenticator("openai"))).build();
      OpenAIClient client = new com.openai.client.OpenAIClientImpl(options);
      try {
        assertThat(text(client.chat().completions().create(hello()))).isEqualTo(MockModelServer.ANSWER);
      } finally {
        client.close();
      }
    }
    assertThat(model.recorded()).singleElement()
        .satisfies(r -> assertThat(r.header("authorization")).isEqualTo("Bearer " + key));
  }

  @Test
  void aBearerTokenCredentialRefusesAMethodThatNeedsMoreThanAuthorization() {
    ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
        .baseUrl(model.url("/openai/v1").toString()).set("apiKey", "az-secret-1").build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(azure))) {
      com.openai.credential.BearerTokenCredential credential = (com.openai.credential.BearerTokenCredential)
          LlmAuthOpenAI.bearerTokenCredential(auth.authenticator("azure"));
      assertThatThrownBy(credential::token).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("api-key").hasMessageContaining("LlmAuthOpenAI.client")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("az-secret-1"));
    }
  }

  /** Waits, counting, until the issuer has received the refresh the test holds. */
  private static void awaitRefreshRequest(MockOAuthServer issuer) throws InterruptedException {
    while (issuer.recorded(r -> r.path().endsWith("/oauth/token")).isEmpty()) {
      Thread.sleep(5);
    }
  }
}
