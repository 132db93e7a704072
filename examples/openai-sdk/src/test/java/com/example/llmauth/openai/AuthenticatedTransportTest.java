package com.example.llmauth.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.openai.client.OpenAIClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatedTransportTest {
  final MockModelServer model = new MockModelServer();

  @AfterEach
  void stop() {
    model.close();
  }

  private static ChatCompletionCreateParams hello() {
    return ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello.").build();
  }

  @Test
  void theSdkSendsTheApiKeyOfLlmAuthAsABearerToken() {
    String key = "sk-sdk-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .apiKey(Secret.of(key)).build();

    String answer = ChatExample.ask(LlmAuthConfig.of(openai), "openai", "gpt-4o-mini", "Say hello.");

    assertThat(answer).isEqualTo(MockModelServer.ANSWER);
    List<RecordedRequest> seen = model.recorded();
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).path()).isEqualTo("/v1/chat/completions");
    assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer " + key);
  }

  @Test
  void everyRequestOfOneClientIsAuthenticated() {
    String key = "sk-sdk-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .apiKey(Secret.of(key)).headers(Map.of("X-Team", "search")).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      OpenAIClient client = AuthenticatedTransport.openAiClient(auth.authenticator("openai"));
      try {
        for (int i = 0; i < 3; i++) {
          client.chat().completions().create(hello());
        }
      } finally {
        client.close();
      }
    }
    assertThat(model.recorded()).hasSize(3).allSatisfy(r -> {
      assertThat(r.header("authorization")).isEqualTo("Bearer " + key);
      assertThat(r.header("x-team")).isEqualTo("search");
    });
  }

  @Test
  void anAzureKeyTravelsInTheApiKeyHeaderWithoutAuthorization() {
    String key = "az-sdk-" + System.nanoTime();
    ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
        .baseUrl(model.url("/v1").toString()).apiKey(Secret.of(key)).build();

    String answer = ChatExample.ask(LlmAuthConfig.of(azure), "azure", "gpt-4o-mini", "Say hello.");

    assertThat(answer).isEqualTo(MockModelServer.ANSWER);
    RecordedRequest seen = model.recorded().get(0);
    assertThat(seen.header("api-key")).isEqualTo(key);
    assertThat(seen.header("authorization")).isNull();
  }

  @Test
  void theAsyncClientIsAuthenticatedToo() {
    String key = "sk-sdk-" + System.nanoTime();
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .apiKey(Secret.of(key)).build();
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(openai))) {
      OpenAIClient client = AuthenticatedTransport.openAiClient(auth.authenticator("openai"));
      try {
        ChatCompletion answer = client.async().chat().completions().create(hello()).join();
        assertThat(answer.choices().get(0).message().content()).contains(MockModelServer.ANSWER);
      } finally {
        client.close();
      }
    }
    assertThat(model.recorded().get(0).header("authorization")).isEqualTo("Bearer " + key);
  }

  @Test
  void aRejectedStaticKeyIsNotSentAgainAndNeverShown() {
    String key = "sk-sdk-" + System.nanoTime();
    model.rejectToken(key);
    ProviderConfig openai = ProviderConfig.builder("openai").baseUrl(model.url("/v1").toString())
        .apiKey(Secret.of(key)).build();

    assertThatThrownBy(() -> ChatExample.ask(LlmAuthConfig.of(openai), "openai", "gpt-4o-mini", "Say hello."))
        .isInstanceOf(UnauthorizedException.class)
        .satisfies(e -> assertThat(e.toString()).doesNotContain(key));
    assertThat(model.recorded()).hasSize(1);
  }

  @Test
  void aRejectedOAuthTokenIsRefreshedAndTheRequestSentOnceMore(@TempDir Path home) throws IOException {
    try (MockOAuthServer issuer = new MockOAuthServer()) {
      String stale = issuer.issueAccessToken(Duration.ofHours(1));
      Path authFile = home.resolve("auth.json");
      Files.writeString(authFile, new Gson().toJson(Map.of("last_refresh", "2026-01-01T00:00:00Z", "tokens",
          Map.of("id_token", issuer.issueIdToken(), "access_token", stale,
              "refresh_token", issuer.issueRefreshToken()))));
      model.rejectToken(stale);
      ProviderConfig codex = ProviderConfig.builder("codex").type(ProviderType.CODEX)
          .baseUrl(model.url("/backend-api/codex").toString())
          .set("codexOAuth", new CodexOAuthSettings(authFile.toString(), issuer.issuer().toString(), null).toBlock()).build();

      String answer = ChatExample.ask(LlmAuthConfig.of(codex), "codex", "gpt-5-codex", "Say hello.");

      assertThat(answer).isEqualTo(MockModelServer.ANSWER);
      assertThat(issuer.refreshCount()).isEqualTo(1);
      List<RecordedRequest> seen = model.recorded();
      assertThat(seen).hasSize(2);
      assertThat(seen.get(0).header("authorization")).isEqualTo("Bearer " + stale);
      assertThat(seen.get(1).header("authorization")).startsWith("Bearer ").isNotEqualTo("Bearer " + stale);
      assertThat(seen.get(1).header("chatgpt-account-id")).isEqualTo(MockOAuthServer.DEFAULT_ACCOUNT_ID);
    }
  }
}
