package dev.llmauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A Spring Boot application that calls the kit's model server through {@code RestClient} and {@code WebClient},
 * authenticated with an Entra managed-identity token from the kit's identity server (App Service contract). The
 * surefire configuration starts the JVM with {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} pointing at
 * a port reserved at build time, because MSAL4J reads them from the process environment only. Each test uses a
 * provider with a scope of its own, so MSAL4J's static cache never answers one test with another's token.
 */
@SpringBootTest(classes = SpringApplicationTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "spring.ai.openai.llmauth.provider=ai")
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class SpringApplicationTest {
  private static final String CHAT = "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}";
  static final MockIdentityServer IDENTITY = new MockIdentityServer(
      Integer.getInteger("llmauth.test.identity.port"), System.getProperty("llmauth.test.identity.header")).start();
  static final MockModelServer MODEL = new MockModelServer().start();

  @DynamicPropertySource
  static void providers(DynamicPropertyRegistry registry) {
    for (String name : List.of("rest", "web", "replay", "held", "ai")) {
      registry.add("llmauth.providers." + name + ".base-url", () -> MODEL.url("/v1").toString());
      registry.add("llmauth.providers." + name + ".managed-identity.scope", () -> "api://" + name + "/.default");
    }
    registry.add("llmauth.http.provider", () -> "rest");
    registry.add("spring.ai.openai.base-url", () -> MODEL.url("/v1").toString());
  }

  @AfterAll
  static void stop() {
    MODEL.close();
    IDENTITY.close();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    RestClient restClient(LlmAuthClientHttpRequestInterceptor interceptor) {
      return RestClient.builder().requestFactory(new JdkClientHttpRequestFactory()).baseUrl(MODEL.url("/v1"))
          .requestInterceptor(interceptor).build();
    }

    @Bean
    WebClient.Builder webClients() {
      return WebClient.builder().clientConnector(new JdkClientHttpConnector()).baseUrl(MODEL.url("/v1").toString());
    }
  }

  @Autowired RestClient restClient;
  @Autowired WebClient.Builder webClients;
  @Autowired RequestAuthenticators authenticators;
  @Autowired ChatModel chatModel;

  private static String bearer(RecordedRequest r) {
    return String.valueOf(r.header("Authorization"));
  }

  private static List<RecordedRequest> chats() {
    return MODEL.recorded(r -> r.path().endsWith("/chat/completions"));
  }

  @Test
  @DisplayName("RestClient with the interceptor bean sends the managed-identity token")
  void restClient(CapturedOutput output) {
    String answer = restClient.post().uri("/chat/completions").contentType(MediaType.APPLICATION_JSON).body(CHAT)
        .retrieve().body(String.class);
    assertThat(answer).contains(MockModelServer.ANSWER);
    String issued = IDENTITY.issuedTokens().get(IDENTITY.issuedTokens().size() - 1);
    assertThat(bearer(chats().get(chats().size() - 1))).isEqualTo("Bearer " + issued);
    assertThat(output.getAll()).doesNotContain(issued).doesNotContain(IDENTITY.identityHeader());
  }

  @Test
  @DisplayName("WebClient with the filter sends the managed-identity token")
  void webClient(CapturedOutput output) {
    WebClient client = webClients.clone().filter(new LlmAuthExchangeFilterFunction(authenticators.get("web")))
        .build();
    String answer = client.post().uri("/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT)
        .retrieve().bodyToMono(String.class).block();
    assertThat(answer).contains(MockModelServer.ANSWER);
    String issued = IDENTITY.issuedTokens().get(IDENTITY.issuedTokens().size() - 1);
    assertThat(bearer(chats().get(chats().size() - 1))).isEqualTo("Bearer " + issued);
    assertThat(output.getAll()).doesNotContain(issued);
  }

  @Test
  @DisplayName("a 401 makes RestClient and WebClient fetch a new token and replay once")
  void replayAfter401() {
    IDENTITY.rotateTokens(true);
    RestClient client = restClient.mutate().requestInterceptors(list -> {
      list.clear();
      list.add(new LlmAuthClientHttpRequestInterceptor(authenticators.get("replay")));
    }).build();
    client.post().uri("/chat/completions").contentType(MediaType.APPLICATION_JSON).body(CHAT).retrieve()
        .body(String.class);
    String first = bearer(chats().get(chats().size() - 1));
    MODEL.rejectToken(first.substring("Bearer ".length()));
    int before = chats().size();
    String answer = client.post().uri("/chat/completions").contentType(MediaType.APPLICATION_JSON).body(CHAT)
        .retrieve().body(String.class);
    assertThat(answer).contains(MockModelServer.ANSWER);
    List<RecordedRequest> sent = chats().subList(before, chats().size());
    assertThat(sent).hasSize(2);
    assertThat(bearer(sent.get(0))).isEqualTo(first);
    assertThat(bearer(sent.get(1))).startsWith("Bearer ").isNotEqualTo(first);

    WebClient web = webClients.clone().filter(new LlmAuthExchangeFilterFunction(authenticators.get("replay")))
        .build();
    MODEL.rejectToken(bearer(sent.get(1)).substring("Bearer ".length()));
    before = chats().size();
    assertThat(web.post().uri("/chat/completions").contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT)
        .retrieve().bodyToMono(String.class).block()).contains(MockModelServer.ANSWER);
    assertThat(chats().subList(before, chats().size())).hasSize(2);
  }

  @Test
  @DisplayName("WebClient: no thread waits while the token is fetched")
  void nonBlocking() throws Exception {
    IDENTITY.holdTokens();
    try {
      WebClient client = webClients.clone().filter(new LlmAuthExchangeFilterFunction(authenticators.get("held")))
          .build();
      CompletableFuture<String> answer = client.post().uri("/chat/completions")
          .contentType(MediaType.APPLICATION_JSON).bodyValue(CHAT).retrieve().bodyToMono(String.class).toFuture();
      // toFuture() subscribed on this thread: had the filter blocked for the token, we would not be here while
      // the identity server holds it.
      assertThat(answer).isNotDone();
      IDENTITY.releaseTokens();
      assertThat(answer.get(30, TimeUnit.SECONDS)).contains(MockModelServer.ANSWER);
    } finally {
      IDENTITY.releaseTokens();
    }
  }

  @Test
  @DisplayName("Spring AI's OpenAI chat model authenticates as spring.ai.openai.llmauth.provider, with no key")
  void springAiChatModel(CapturedOutput output) {
    int before = IDENTITY.tokenRequests().size();
    String answer = chatModel.call("hi");
    assertThat(answer).isEqualTo(MockModelServer.ANSWER);
    assertThat(IDENTITY.tokenRequests().size()).isGreaterThan(before);
    String issued = IDENTITY.issuedTokens().get(IDENTITY.issuedTokens().size() - 1);
    RecordedRequest sent = chats().get(chats().size() - 1);
    assertThat(sent.headers("Authorization")).containsExactly("Bearer " + issued);
    assertThat(output.getAll()).doesNotContain(issued);
  }
}
