package dev.llmauth.http.jdk;

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
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlmAuthHttpClientTest {
  private final MockModelServer server = new MockModelServer().start();
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
  void aTokenTheClientRefusesFailsTheCallWithoutShowingIt() throws Exception {
    String secret = "sk-jdk-" + System.nanoTime();
    for (String bad : List.of("\u200b", "\r\nX-Injected: 1", "\u0000")) {
      for (ProviderConfig config : List.of(ProviderConfig.builder("test").build(),
          ProviderConfig.builder("test").type(ProviderType.AZURE_OPENAI).baseUrl(server.url("/v1").toString()).build(),
          ProviderConfig.builder("test").providerDataHeader("X-Provider-Data").build())) {
        if (config.providerDataHeader() != null && !bad.equals("\u200b")) {
          continue; // JSON escapes control characters, so the provider-data header can carry them
        }
        Credential credential = fixed(secret + bad + "-tail", config.type() == ProviderType.AZURE_OPENAI
            ? Credential.TokenUse.API_KEY_HEADER : Credential.TokenUse.BEARER);
        HttpClient refusing = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(),
            RequestAuthenticator.of(config, credential));
        HttpRequest request = HttpRequest.newBuilder(chat()).POST(HttpRequest.BodyPublishers.ofString("{}")).build();

        Throwable sync = catchThrowable(() -> refusing.send(request, HttpResponse.BodyHandlers.ofString()));
        // A deadline for declaring the failure only: a lost exception would leave the future pending for ever.
        Throwable async = catchThrowable(() -> refusing.sendAsync(request, HttpResponse.BodyHandlers.ofString())
            .get(30, TimeUnit.SECONDS)).getCause();
        for (Throwable t : List.of(sync, async)) {
          assertThat(t).isInstanceOf(IOException.class).hasMessageContaining("provider 'test'")
              .hasMessageContaining("the value is not shown");
          for (Throwable c = t; c != null; c = c.getCause()) {
            assertThat(c.toString()).doesNotContain(secret).doesNotContain("tail");
          }
        }
      }
    }
    assertThat(server.recorded()).isEmpty();
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
