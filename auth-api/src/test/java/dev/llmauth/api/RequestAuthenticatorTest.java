package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.Credential.TokenUse;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RequestAuthenticator writes the headers of the contract")
class RequestAuthenticatorTest {
  private static final URI HTTPS = URI.create("https://models.example.test/v1/chat/completions");

  private static Map<String, String> apply(Authorization a, Map<String, String> request) {
    Map<String, String> out = new LinkedHashMap<>();
    request.forEach((k, v) -> {
      if (!a.headersToRemove().contains(k.toLowerCase(java.util.Locale.ROOT))) {
        out.put(k, v);
      }
    });
    a.forEachHeader(out::put);
    return out;
  }

  private static OutgoingRequest request(Map<String, String> headers) {
    Map<String, List<String>> multi = new LinkedHashMap<>();
    headers.forEach((k, v) -> multi.put(k, List.of(v)));
    return OutgoingRequest.of("POST", HTTPS, multi);
  }

  @Test
  @DisplayName("bearer methods set Authorization and remove api-key and x-api-key")
  void bearer() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("p").build(),
        new FixedCredential("tok-1", TokenUse.BEARER, true));
    Map<String, String> sent = Map.of("api-key", "old", "X-Api-Key", "old", "Authorization", "Basic x",
        "X-Goog-Api-Key", "old", "Accept", "application/json");
    Map<String, String> out = apply(auth.authorize(request(sent)), sent);
    assertThat(out).containsEntry("Authorization", "Bearer tok-1").containsEntry("Accept", "application/json")
        .doesNotContainKeys("api-key", "X-Api-Key", "X-Goog-Api-Key");
  }

  @Test
  @DisplayName("an Anthropic key goes in x-api-key, with anthropic-version, and no other credential header")
  void anthropicApiKey() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("claude")
        .type(ProviderType.ANTHROPIC).build(), new FixedCredential("sk-ant-1", TokenUse.API_KEY_HEADER, false));
    Map<String, String> sent = Map.of("Authorization", "Bearer stale", "api-key", "stale", "X-API-KEY", "stale",
        "x-goog-api-key", "stale", "Accept", "application/json");
    Map<String, String> out = apply(auth.authorize(request(sent)), sent);
    assertThat(out).containsOnly(Map.entry("x-api-key", "sk-ant-1"), Map.entry("anthropic-version", "2023-06-01"),
        Map.entry("Accept", "application/json"));
  }

  @Test
  @DisplayName("the caller's anthropic-version, or the provider's static one, is never overwritten")
  void anthropicVersionNotOverwritten() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("claude")
        .type(ProviderType.ANTHROPIC).build(), new FixedCredential("sk-ant-2", TokenUse.API_KEY_HEADER, false));
    Map<String, String> none = Map.of();
    assertThat(apply(auth.authorize(request(none)), none)).containsEntry("anthropic-version", "2023-06-01");
    Map<String, String> own = Map.of("Anthropic-Version", "2024-10-22");
    Authorization withOwn = auth.authorize(request(own));
    assertThat(withOwn.headersToRemove()).doesNotContain("anthropic-version");
    assertThat(apply(withOwn, own)).containsOnly(Map.entry("x-api-key", "sk-ant-2"),
        Map.entry("Anthropic-Version", "2024-10-22"));
    assertThat(apply(auth.authorize(request(none)), none)).as("a later request without one gets the default again")
        .containsEntry("anthropic-version", "2023-06-01");

    RequestAuthenticator pinned = RequestAuthenticator.of(ProviderConfig.builder("claude")
        .type(ProviderType.ANTHROPIC).headers(Map.of("Anthropic-Version", "2023-01-01")).build(),
        new FixedCredential("sk-ant-3", TokenUse.API_KEY_HEADER, false));
    assertThat(apply(pinned.authorize(request(none)), none)).containsOnly(Map.entry("x-api-key", "sk-ant-3"),
        Map.entry("Anthropic-Version", "2023-01-01"));
  }

  @Test
  @DisplayName("a Gemini key goes in x-goog-api-key and no other credential header")
  void geminiApiKey() {
    RequestAuthenticator auth = RequestAuthenticator.of(ProviderConfig.builder("gemini")
        .type(ProviderType.GEMINI).build(), new FixedCredential("AIza-1", TokenUse.API_KEY_HEADER, false));
    Map<String, String> sent = Map.of("Authorization", "Bearer stale", "api-key", "stale", "x-api-key", "stale",
        "X-Goog-Api-Key", "stale");
    assertThat(apply(auth.authorize(request(sent)), sent)).containsOnly(Map.entry("x-goog-api-key", "AIza-1"));
  }

  @Test
  @DisplayName("bearer tokens go in Authorization on anthropic and gemini, removing stale key headers")
  void bearerOnKeyHeaderTypes() {
    Map<String, String> sent = Map.of("x-api-key", "stale", "x-goog-api-key", "stale", "api-key", "stale");
    Map<String, String> anthropic = apply(RequestAuthenticator.of(ProviderConfig.builder("claude")
        .type(ProviderType.ANTHROPIC).build(), new FixedCredential("tok-a", TokenUse.BEARER, true))
        .authorize(request(sent)), sent);
    assertThat(anthropic).containsOnly(Map.entry("Authorization", "Bearer tok-a"),
        Map.entry("anthropic-version", "2023-06-01"));
    Map<String, String> gemini = apply(RequestAuthenticator.of(ProviderConfig.builder("gemini")
        .type(ProviderType.GEMINI).build(), new FixedCredential("tok-g", TokenUse.BEARER, true))
        .authorize(request(sent)), sent);
    assertThat(gemini).containsOnly(Map.entry("Authorization", "Bearer tok-g"));
  }

  @Test
  @DisplayName("an API key on a type without a key header goes in Authorization: Bearer")
  void apiKeyOnOpenAi() {
    Map<String, String> sent = Map.of("api-key", "stale");
    for (ProviderType type : List.of(ProviderType.OPENAI, ProviderType.CODEX)) {
      assertThat(apply(RequestAuthenticator.of(ProviderConfig.builder("p").type(type).build(),
          new FixedCredential("sk-1", TokenUse.API_KEY_HEADER, false)).authorize(request(sent)), sent))
          .as("%s", type).containsOnly(Map.entry("Authorization", "Bearer sk-1"));
    }
  }

  @Test
  @DisplayName("an Azure OpenAI key goes in api-key and no Authorization is sent")
  void azureApiKey() {
    RequestAuthenticator auth = RequestAuthenticator.of(
        ProviderConfig.builder("az").type(ProviderType.AZURE_OPENAI).baseUrl("https://x.openai.azure.com").build(),
        new FixedCredential("key-1", TokenUse.API_KEY_HEADER, false));
    Map<String, String> sent = Map.of("Authorization", "Bearer stale");
    Map<String, String> out = apply(auth.authorize(request(sent)), sent);
    assertThat(out).containsExactly(Map.entry("api-key", "key-1"));
  }

  @Test
  @DisplayName("the provider-data header carries the token merged into the existing JSON object")
  void providerDataMerge() {
    ProviderConfig pc = ProviderConfig.builder("gw").baseUrl("https://res.openai.azure.com")
        .providerDataHeader("X-LlamaStack-Provider-Data").build();
    RequestAuthenticator auth = RequestAuthenticator.of(pc, new FixedCredential("tok-2", TokenUse.BEARER, true));
    Map<String, String> sent = Map.of("x-llamastack-provider-data", "{\"other\":\"kept\",\"azure_api_key\":\"old\"}",
        "Authorization", "Bearer stale");
    Map<String, String> out = apply(auth.authorize(request(sent)), sent);
    assertThat(out).doesNotContainKeys("Authorization", "x-llamastack-provider-data");
    JsonObject json = JsonParser.parseString(out.get("X-LlamaStack-Provider-Data")).getAsJsonObject();
    assertThat(json.get("other").getAsString()).isEqualTo("kept");
    assertThat(json.get("azure_api_key").getAsString()).isEqualTo("tok-2");
    assertThat(json.get("azure_api_base").getAsString()).isEqualTo("https://res.openai.azure.com");
  }

  @Test
  @DisplayName("a provider-data header value that is not a JSON object is replaced")
  void providerDataNonObject() {
    ProviderConfig pc = ProviderConfig.builder("gw").baseUrl("https://res.openai.azure.com")
        .providerDataHeader("X-Data").build();
    RequestAuthenticator auth = RequestAuthenticator.of(pc, new FixedCredential("tok", TokenUse.BEARER, true));
    for (String existing : List.of("[1,2]", "\"text\"", "not json", "42", "{broken")) {
      Map<String, String> out = apply(auth.authorize(request(Map.of("X-Data", existing))), Map.of("X-Data", existing));
      JsonObject json = JsonParser.parseString(out.get("X-Data")).getAsJsonObject();
      assertThat(json.keySet()).as("for %s", existing).containsExactlyInAnyOrder("azure_api_key", "azure_api_base");
    }
  }

  @Test
  @DisplayName("without a request value, the token merges into the provider's static value of the header")
  void providerDataMergesIntoTheStaticHeader() {
    ProviderConfig pc = ProviderConfig.builder("gw").baseUrl("https://gw.example.test/v1")
        .providerDataHeader("X-LlamaStack-Provider-Data")
        .headers(Map.of("x-llamastack-provider-data", "{\"azure_api_version\":\"2024-06-01\"}")).build();
    RequestAuthenticator auth = RequestAuthenticator.of(pc, new FixedCredential("tok-3", TokenUse.BEARER, true));
    Authorization a = auth.authorize(request(Map.of()));
    Map<String, String> out = apply(a, Map.of());
    assertThat(out).containsOnlyKeys("X-LlamaStack-Provider-Data");
    JsonObject json = JsonParser.parseString(out.get("X-LlamaStack-Provider-Data")).getAsJsonObject();
    assertThat(json.get("azure_api_version").getAsString()).isEqualTo("2024-06-01");
    assertThat(json.get("azure_api_key").getAsString()).isEqualTo("tok-3");
    assertThat(json.get("azure_api_base").getAsString()).isEqualTo("https://gw.example.test/v1");

    Map<String, String> sent = Map.of("X-LlamaStack-Provider-Data", "{\"mine\":true}");
    JsonObject own = JsonParser.parseString(apply(auth.authorize(request(sent)), sent)
        .get("X-LlamaStack-Provider-Data")).getAsJsonObject();
    assertThat(own.keySet()).as("the request's own value wins over the static one")
        .containsExactlyInAnyOrder("mine", "azure_api_key", "azure_api_base");
  }

  @Test
  @DisplayName("providerDataApiBase, when set, is the azure_api_base")
  void providerDataApiBase() {
    ProviderConfig pc = ProviderConfig.builder("gw").baseUrl("https://gw.example.test/v1")
        .providerDataHeader("X-OGX-Provider-Data").providerDataApiBase("https://r.openai.azure.com/openai/v1").build();
    RequestAuthenticator auth = RequestAuthenticator.of(pc, new FixedCredential("tok-4", TokenUse.BEARER, true));
    JsonObject json = JsonParser.parseString(apply(auth.authorize(request(Map.of())), Map.of())
        .get("X-OGX-Provider-Data")).getAsJsonObject();
    assertThat(json.get("azure_api_base").getAsString()).isEqualTo("https://r.openai.azure.com/openai/v1");
  }

  @Test
  @DisplayName("a static header never overrides a credential header written in another case")
  void staticHeadersNeverOverrideTheCredential() {
    ProviderConfig pc = ProviderConfig.builder("p").headers(Map.of("authorization", "Basic static")).build();
    Authorization a = RequestAuthenticator.of(pc, new FixedCredential("tok-5", TokenUse.BEARER, true))
        .authorize(request(Map.of()));
    assertThat(apply(a, Map.of())).containsExactly(Map.entry("Authorization", "Bearer tok-5"));
  }

  @Test
  @DisplayName("static headers and the token's own headers are set")
  void extraHeaders() {
    ProviderConfig pc = ProviderConfig.builder("p").headers(Map.of("X-Extra", "v")).build();
    Credential c = new FixedCredential("t", TokenUse.BEARER, true) {
      @Override
      public CompletableFuture<AccessToken> token() {
        return CompletableFuture.completedFuture(super.token.withHeaders(Map.of("ChatGPT-Account-Id", "acc-1")));
      }
    };
    Map<String, String> out = apply(RequestAuthenticator.of(pc, c).authorize(request(Map.of("x-extra", "old"))),
        Map.of("x-extra", "old"));
    assertThat(out).containsEntry("X-Extra", "v").containsEntry("ChatGPT-Account-Id", "acc-1")
        .doesNotContainKey("x-extra");
  }

  @Test
  @DisplayName("a credential is refused over plain http to a remote host, allowed to loopback or when opted in")
  void insecureTransport() {
    FixedCredential c = new FixedCredential("secret-token", TokenUse.BEARER, true);
    RequestAuthenticator strict = RequestAuthenticator.of(ProviderConfig.builder("p").build(), c);
    OutgoingRequest remote = OutgoingRequest.of("POST", URI.create("http://models.example.test/v1"), Map.of());
    assertThatThrownBy(() -> strict.authorize(remote)).isInstanceOf(AuthException.class)
        .hasMessageContaining("allowInsecureHttp").hasMessageNotContaining("secret-token")
        .extracting(e -> ((AuthException) e).code()).isEqualTo(AuthException.INSECURE_TRANSPORT);
    assertThat(strict.authorizeAsync(remote)).isCompletedExceptionally();
    for (String host : List.of("127.attacker.example", "x.localhost", "127.0.0.1.nip.example")) {
      OutgoingRequest lookalike = OutgoingRequest.of("POST", URI.create("http://" + host + "/v1"), Map.of());
      assertThatThrownBy(() -> strict.authorize(lookalike)).as(host).isInstanceOf(AuthException.class)
          .hasMessageContaining("allowInsecureHttp");
    }
    for (String host : List.of("127.0.0.1", "localhost", "[::1]")) {
      assertThat(strict.authorize(OutgoingRequest.of("GET", URI.create("http://" + host + ":8080/v1"), Map.of()))
          .headerNames()).contains("Authorization");
    }
    RequestAuthenticator optedIn = RequestAuthenticator.of(ProviderConfig.builder("p").allowInsecureHttp(true)
        .build(), c);
    assertThat(optedIn.authorize(remote).headerNames()).contains("Authorization");
  }

  @Test
  @DisplayName("invalidate passes the exact token back and reports whether a replay can help")
  void invalidate() {
    FixedCredential rotating = new FixedCredential("t", TokenUse.BEARER, true);
    RequestAuthenticator a = RequestAuthenticator.of(ProviderConfig.builder("p").build(), rotating);
    assertThat(a.invalidate(a.authorize(request(Map.of())))).isTrue();
    assertThat(rotating.invalidations).hasValue(1);
    FixedCredential fixed = new FixedCredential("k", TokenUse.BEARER, false);
    RequestAuthenticator b = RequestAuthenticator.of(ProviderConfig.builder("p").build(), fixed);
    assertThat(b.invalidate(b.authorize(request(Map.of())))).isFalse();
    assertThatThrownBy(() -> a.invalidate(b.authorize(request(Map.of()))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("toString of authenticator, authorization and token never shows the secret")
  void noSecretInToString() {
    RequestAuthenticator a = RequestAuthenticator.of(ProviderConfig.builder("p").build(),
        new FixedCredential("sk-very-secret", TokenUse.BEARER, true));
    Authorization z = a.authorize(request(Map.of()));
    for (Object o : List.of(a, z, z.token(), z.token().value())) {
      assertThat(o.toString()).doesNotContain("sk-very-secret");
    }
    StubMethod keyed = new StubMethod("keyed", 100, c -> true) {
      @Override
      public java.util.Set<String> configKeys() {
        return java.util.Set.of("key");
      }

      @Override
      public java.util.Set<String> secretFields() {
        return java.util.Set.of("key");
      }
    };
    ProviderConfig withKey = ProviderConfig.builder("p").methods(List.of(keyed)).set("key", "sk-in-config")
        .headers(Map.of("X-Gateway-Key", "gw-secret")).build();
    assertThat(withKey.toString()).contains("key=[redacted]").doesNotContain("sk-in-config")
        .doesNotContain("gw-secret");
  }

  @Test
  @DisplayName("an adapter gets the base URL and header rules from the authenticator, never the configuration")
  void handsOutNoConfiguration() {
    RequestAuthenticator a = RequestAuthenticator.of(ProviderConfig.builder("p").baseUrl("https://gw.example/v1")
        .providerDataHeader("X-Provider-Data").build(), new FixedCredential("t", TokenUse.BEARER, true));
    assertThat(a.baseUrl()).isEqualTo("https://gw.example/v1");
    assertThat(a.providerDataHeader()).isEqualTo("X-Provider-Data");
    assertThat(RequestAuthenticator.of(ProviderConfig.builder("q").build(),
        new FixedCredential("t", TokenUse.BEARER, true)).baseUrl()).as("the type's default")
        .isEqualTo(ProviderType.OPENAI.defaultBaseUrl());
    assertThat(Arrays.stream(RequestAuthenticator.class.getMethods()).map(java.lang.reflect.Method::getReturnType))
        .as("public methods of RequestAuthenticator that hand out the configuration or a secret")
        .doesNotContain(ProviderConfig.class, Secret.class);
  }

  @Test
  @DisplayName("a failing credential surfaces its AuthException from authorize and authorizeAsync")
  void failures() {
    Credential failing = new FixedCredential("t", TokenUse.BEARER, true) {
      @Override
      public CompletableFuture<AccessToken> token() {
        return CompletableFuture.failedFuture(new TokenException("identity endpoint unreachable", null));
      }
    };
    RequestAuthenticator a = RequestAuthenticator.of(ProviderConfig.builder("p").build(), failing);
    assertThatThrownBy(() -> a.authorize(request(Map.of()))).isInstanceOf(TokenException.class)
        .hasMessage("identity endpoint unreachable");
    assertThat(RequestAuthenticator.asAuthException(
        a.authorizeAsync(request(Map.of())).handle((ok, t) -> t).join())).hasMessage("identity endpoint unreachable");
  }
}
