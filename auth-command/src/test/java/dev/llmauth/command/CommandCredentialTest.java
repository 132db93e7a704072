package dev.llmauth.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Resolution;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The method through the token cache and the resolver: shared runs, the refresh policy, 401s and priority. */
class CommandCredentialTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private TokenCache cache;
  private Path script;

  @BeforeEach
  void setUp() {
    cache = TokenCache.builder().clock(clock).build();
    // Prints tok-<run>-<reason>; waits while a hold file exists; counts runs.
    script = Scripts.write(dir, "helper", String.join("\n",
        "d='" + dir + "'",
        "while [ -e \"$d/hold\" ]; do sleep 0.01; done",
        "echo run >> \"$d/runs\"",
        "printf 'tok-%s-%s\\n' \"$(wc -l < \"$d/runs\" | tr -d ' ')\" \"$LLM_AUTH_REASON\""));
  }

  @AfterEach
  void tearDown() {
    cache.close();
  }

  @Test
  void manyConcurrentRequestsShareOneRun() throws Exception {
    Credential credential = credential(Map.of());
    Files.createFile(dir.resolve("hold"));
    List<CompletableFuture<AccessToken>> calls = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      calls.add(credential.token());
    }
    Files.delete(dir.resolve("hold"));
    for (CompletableFuture<AccessToken> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).value().reveal()).isEqualTo("tok-1-initial");
    }
    assertThat(credential.token().get(30, TimeUnit.SECONDS).value().reveal()).isEqualTo("tok-1-initial");
    assertThat(runs()).isEqualTo(1);
  }

  @Test
  void aTokenWithoutExpiryIsUsedForRefreshAfterThenRefreshedInTheBackground() throws Exception {
    Credential credential = credential(Map.of("refreshAfter", "2m"));
    assertThat(token(credential)).isEqualTo("tok-1-initial");
    clock.advance(Duration.ofSeconds(119));
    assertThat(token(credential)).isEqualTo("tok-1-initial");
    assertThat(runs()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));
    // Past refreshAfter the cached token still serves while one background run replaces it.
    assertThat(token(credential)).isEqualTo("tok-1-initial");
    String next = token(credential);
    for (int i = 0; i < 3000 && next.equals("tok-1-initial"); i++) {
      Thread.sleep(10);
      next = token(credential);
    }
    assertThat(next).isEqualTo("tok-2-refresh_ahead");
    assertThat(runs()).isEqualTo(2);
  }

  @Test
  void aRejectedTokenRunsTheCommandAgainOnceForManyRejections() throws Exception {
    Credential credential = credential(Map.of());
    AccessToken first = credential.token().get(30, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      assertThat(credential.invalidate(first)).isTrue();
    }
    List<CompletableFuture<AccessToken>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(credential.token());
    }
    for (CompletableFuture<AccessToken> call : calls) {
      assertThat(call.get(30, TimeUnit.SECONDS).value().reveal()).isEqualTo("tok-2-invalidated");
    }
    assertThat(runs()).isEqualTo(2);
  }

  @Test
  void sendAsDecidesWhetherTheOutputIsAKeyOrABearerToken() {
    CommandMethod provider = new CommandMethod();
    for (ProviderType type : ProviderType.values()) {
      ProviderConfig.Builder b = ProviderConfig.builder("p").type(type).baseUrl("https://models.example.test/v1");
      assertThat(provider.create(b.set(CommandSpec.FIELD, Scripts.block(List.of(script.toString()), Map.of()))
          .build(), context()).use()).as("%s", type).isEqualTo(Credential.TokenUse.API_KEY_HEADER);
      assertThat(provider.create(b.set(CommandSpec.FIELD, Scripts.block(List.of(script.toString()),
          Map.of("sendAs", "bearerToken"))).build(), context()).use()).as("%s", type)
          .isEqualTo(Credential.TokenUse.BEARER);
    }
  }

  @Test
  void reachesAnAnthropicProviderWithTheOutputInXApiKey() throws Exception {
    try (MockModelServer model = new MockModelServer().start()) {
      String argv = "[\"" + script + "\"]";
      LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {"
          + "\"claude\": {\"type\": \"anthropic\", \"baseUrl\": \"" + model.url("/v1") + "\", "
          + "\"command\": {\"argv\": " + argv + "}},"
          + "\"gemini\": {\"type\": \"gemini\", \"baseUrl\": \"" + model.url("/v1beta") + "\", "
          + "\"command\": {\"argv\": " + argv + "}},"
          + "\"claude-oauth\": {\"type\": \"anthropic\", \"baseUrl\": \"" + model.url("/v1") + "\", "
          + "\"command\": {\"argv\": " + argv + ", \"sendAs\": \"bearerToken\"}}}}", "test.jsonc", Map.of());
      try (LlmAuth auth = LlmAuth.builder().config(config).environment(Scripts.environment()).tokenCache(cache)
          .build()) {
        assertThat(auth.authenticator("claude").describe()).endsWith("its output sent as x-api-key header");
        assertThat(auth.authenticator("gemini").describe()).endsWith("its output sent as x-goog-api-key header");
        assertThat(auth.authenticator("claude-oauth").describe()).endsWith("its output sent as Authorization: Bearer");
        for (String provider : List.of("claude", "gemini", "claude-oauth")) {
          HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(), auth.authenticator(provider));
          HttpResponse<String> response = client.send(HttpRequest.newBuilder(model.url("/v1/chat/completions"))
              .header("Authorization", "Bearer caller-stale").header("x-api-key", "caller-stale")
              .header("x-goog-api-key", "caller-stale")
              .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as(provider).isEqualTo(200);
        }
      }
      List<RecordedRequest> got = model.recorded();
      assertThat(got).hasSize(3);
      String first = got.get(0).header("x-api-key");
      assertThat(first).as("the command's output in x-api-key").matches("tok-\\d+-.*");
      assertThat(got.get(0).headers("authorization")).isEmpty();
      assertThat(got.get(0).headers("x-goog-api-key")).isEmpty();
      assertThat(got.get(0).headers("anthropic-version")).containsExactly("2023-06-01");
      assertThat(got.get(1).headers("x-goog-api-key")).singleElement().asString().matches("tok-\\d+-.*");
      assertThat(got.get(1).headers("authorization")).isEmpty();
      assertThat(got.get(1).headers("x-api-key")).isEmpty();
      assertThat(got.get(1).headers("anthropic-version")).isEmpty();
      assertThat(got.get(2).headers("authorization")).singleElement().asString().matches("Bearer tok-\\d+-.*");
      assertThat(got.get(2).headers("x-api-key")).isEmpty();
      assertThat(got.get(2).headers("anthropic-version")).containsExactly("2023-06-01");
    }
  }

  @Test
  void theDescriptionSaysWhereTheOutputGoes() {
    String argv = "[\"" + script + "\"]";
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {"
        + "\"az\": {\"type\": \"azure-openai\", \"baseUrl\": \"https://r.openai.azure.com/openai/v1\", "
        + "\"command\": {\"argv\": " + argv + "}},"
        + "\"gw\": {\"baseUrl\": \"https://gw.example.test/v1\", \"providerDataHeader\": \"X-Provider-Data\", "
        + "\"command\": {\"argv\": " + argv + "}}}}", "test.jsonc", Map.of());
    try (LlmAuth auth = LlmAuth.builder().config(config).environment(Scripts.environment()).tokenCache(cache)
        .build()) {
      assertThat(auth.authenticator("az").describe()).endsWith("its output sent as api-key header");
      assertThat(auth.authenticator("gw").describe())
          .endsWith("its output sent in the X-Provider-Data header as azure_api_key (no Authorization)");
      assertThat(auth.explain("gw").chosen().orElseThrow().detail())
          .endsWith("its output sent in the X-Provider-Data header as azure_api_key (no Authorization)");
    }
  }

  @Test
  void resolvedFromAFileAfterAnApiKeyAndPinnedByAuthMode() {
    String argv = "[\"" + script + "\"]";
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {"
        + "\"helper\": {\"command\": {\"argv\": " + argv + ", \"timeout\": \"${env:HELPER_TIMEOUT}\"}},"
        + "\"both\": {\"apiKey\": \"sk-static-0123456789\", \"command\": {\"argv\": " + argv + "}},"
        + "\"pinned\": {\"apiKey\": \"sk-static-0123456789\", \"authMode\": \"command\", \"command\": {\"argv\": "
        + argv + "}}}}", "test.jsonc", Map.of("HELPER_TIMEOUT", "15s"));
    try (LlmAuth auth = LlmAuth.builder().config(config).environment(Scripts.environment()).tokenCache(cache)
        .build()) {
      assertThat(auth.authenticator("helper").method()).isEqualTo("command");
      assertThat(auth.authenticator("helper").describe())
          .isEqualTo("runs helper (command from env HELPER_TIMEOUT via test.jsonc), its output sent as "
              + "Authorization: Bearer");
      assertThat(auth.authenticator("both").method()).isEqualTo("api-key");
      assertThat(auth.authenticator("pinned").method()).isEqualTo("command");
      Resolution r = auth.explain("both");
      assertThat(r.candidates()).extracting(Resolution.Candidate::method).containsSubsequence("api-key", "command");
    }
  }

  @Test
  void anInvalidBlockFailsTheProviderWithTheFieldPathInsteadOfFallingThrough() {
    String message = "provider 'p', providers.p.command.argv: expected an array of strings but found a string; "
        + "give the program and its arguments as an array of strings, such as [\"op\", \"read\", "
        + "\"op://vault/openai/key\"]; no shell is involved";
    assertThatThrownBy(() -> ProviderConfig.builder("p").set(CommandSpec.FIELD, Map.of("argv",
        "op read op://vault/key")).build()).isInstanceOf(ConfigException.class).hasMessage(message);
    // Loaded without the command method installed, the block meets it at resolution: the same error.
    LlmAuthConfig config = LlmAuthConfig.of(ProviderConfig.builder("p").methods(List.of()).set(CommandSpec.FIELD,
        Map.of("argv", "op read op://vault/key")).build());
    try (LlmAuth auth = LlmAuth.builder().config(config).environment(Map.of()).tokenCache(cache).build()) {
      assertThat(auth.explain("p").chosen()).hasValueSatisfying(c -> {
        assertThat(c.method()).isEqualTo("command");
        assertThat(c.detail()).contains("the command block is invalid", "providers.p.command.argv");
      });
      assertThatThrownBy(() -> auth.authenticator("p")).isInstanceOf(ConfigException.class)
          .hasMessage(message)
          .hasMessageNotContaining("op://vault/key");
    }
  }

  @Test
  void pinnedWithoutABlockSaysWhatToAdd() {
    LlmAuthConfig config = LlmAuthConfig.of(ProviderConfig.builder("p").authMode("command").build());
    try (LlmAuth auth = LlmAuth.builder().config(config).environment(Map.of()).tokenCache(cache).build()) {
      assertThatThrownBy(() -> auth.authenticator("p")).hasMessageContaining("command: no command set");
    }
  }

  private Credential credential(Map<String, Object> more) {
    return new CommandMethod().create(ProviderConfig.builder("p").set(CommandSpec.FIELD,
        Scripts.block(List.of(script.toString()), more)).build(), context());
  }

  private static String token(Credential credential) throws Exception {
    return credential.token().get(30, TimeUnit.SECONDS).value().reveal();
  }

  private int runs() {
    return Scripts.lines(dir.resolve("runs"));
  }

  private ResolutionContext context() {
    return new ResolutionContext() {
      @Override
      public TokenCache tokenCache() {
        return cache;
      }

      @Override
      public Map<String, String> environment() {
        return Scripts.environment();
      }

      @Override
      public InstantSource clock() {
        return clock;
      }
    };
  }

  /** A clock the test moves. */
  static final class MutableClock implements InstantSource {
    private final AtomicLong millis;

    MutableClock(Instant start) {
      millis = new AtomicLong(start.toEpochMilli());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
      return millis.get();
    }
  }
}
