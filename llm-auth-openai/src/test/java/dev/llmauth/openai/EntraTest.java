package dev.llmauth.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Azure OpenAI with a managed identity, through MSAL4J against the kit's identity mock. MSAL4J reads {@code
 * IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} from the process environment only; llm-auth-openai/pom.xml starts
 * the test JVM with them, pointing at a port reserved for the mock.
 */
class EntraTest {
  private static MockIdentityServer identity;

  @BeforeAll
  static void startIdentity() {
    URI endpoint = URI.create(System.getenv("IDENTITY_ENDPOINT"));
    assertThat(endpoint.getHost()).as("IDENTITY_ENDPOINT must point at the mock").isEqualTo("127.0.0.1");
    identity = new MockIdentityServer(endpoint.getPort(), System.getenv("IDENTITY_HEADER")).start();
  }

  @AfterAll
  static void stopIdentity() {
    identity.close();
  }

  /** A clock that moves only when told; the identity mock and llm-auth's token cache share it. */
  private static final class Clock implements InstantSource {
    final AtomicLong millis = new AtomicLong(Instant.now().toEpochMilli());

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
      return millis.get();
    }
  }

  @Test
  void anExpiredEntraTokenIsReplacedBeforeTheNextCall() {
    Clock clock = new Clock();
    identity.reset();
    identity.clock(clock).tokenLifetime(Duration.ofHours(1));
    try (MockModelServer model = new MockModelServer().start()) {
      ProviderConfig azure = ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI)
          .baseUrl(model.url("/openai/v1").toString())
          .set("managedIdentity", java.util.Map.of("scope", "api://llm-auth-openai-test/.default"))
          .build();
      try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(azure)).clock(clock).build()) {
        OpenAIClient client = LlmAuthOpenAI.client(auth.authenticator("azure"));
        try {
          ChatCompletionCreateParams hello = ChatCompletionCreateParams.builder().model("gpt-4o-mini")
              .addUserMessage("Say hello.").build();
          client.chat().completions().create(hello);
          clock.millis.addAndGet(Duration.ofHours(2).toMillis());
          client.chat().completions().create(hello);
        } finally {
          client.close();
        }
      }
      List<String> issued = identity.issuedTokens();
      assertThat(issued).hasSize(2).doesNotHaveDuplicates();
      List<RecordedRequest> seen = model.recorded();
      assertThat(seen).extracting(r -> r.header("authorization"))
          .containsExactly("Bearer " + issued.get(0), "Bearer " + issued.get(1));
      assertThat(seen).allSatisfy(r -> assertThat(r.header("api-key")).isNull());
    }
  }
}
