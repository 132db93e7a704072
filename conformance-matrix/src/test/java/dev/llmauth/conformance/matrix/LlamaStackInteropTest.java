package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.drivers.AdapterDrivers;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Provider data through every adapter to a gateway that validates it as Llama Stack does ({@link
 * LlamaStackGateway}): the token must arrive with a valid {@code azure_api_base}, in a JSON object, merged with
 * the static header's keys, and reach the upstream as {@code Authorization: Bearer}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Provider data against a Llama-Stack-shaped gateway, through every adapter")
class LlamaStackInteropTest {
  private static final String KEY = "sk-azure-interop-7f3e";
  private static final String AZURE = "https://my-resource.openai.azure.com/openai/v1";
  private static final List<String> HEADERS = List.of("X-LlamaStack-Provider-Data", "X-OGX-Provider-Data");
  private static final String CHAT = "{\"model\":\"mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private final MockModelServer upstream = new MockModelServer().start();
  private LlamaStackGateway gateway;

  @BeforeAll
  void start() throws Exception {
    gateway = new LlamaStackGateway(upstream.url("/v1"), HEADERS);
  }

  @AfterAll
  void stop() {
    gateway.close();
    upstream.close();
  }

  @BeforeEach
  void reset() {
    upstream.reset();
  }

  static Stream<Arguments> adaptersAndHeaders() {
    return AdapterDrivers.all().stream().flatMap(d -> HEADERS.stream().map(h -> Arguments.of(Named.of(d.name(), d), h)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("adaptersAndHeaders")
  @DisplayName("providerDataApiBase is sent as azure_api_base and static keys are kept")
  void withProviderDataApiBase(AdapterDriver driver, String header) throws Exception {
    ProviderConfig config = provider(header, b -> b.providerDataApiBase(AZURE)
        .headers(Map.of(header, "{\"azure_api_version\":\"2024-06-01\"}")));
    int before = gateway.honoured().size();

    assertThat(send(driver, config, chat())).isEqualTo(200);

    LlamaStackGateway.Seen seen = gateway.honoured().get(before);
    assertThat(seen.apiBase()).isEqualTo(AZURE);
    assertThat(seen.providerData().get("azure_api_version").getAsString()).as("the static header's keys")
        .isEqualTo("2024-06-01");
    upstreamSawTheKey();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("adaptersAndHeaders")
  @DisplayName("without providerDataApiBase the baseUrl is sent, so the token is still honoured")
  void withoutProviderDataApiBase(AdapterDriver driver, String header) throws Exception {
    int before = gateway.honoured().size();

    assertThat(send(driver, provider(header, b -> {}), chat())).isEqualTo(200);

    assertThat(gateway.honoured().get(before).apiBase()).isEqualTo(gateway.baseUrl().toString());
    upstreamSawTheKey();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("adaptersAndHeaders")
  @DisplayName("a caller's value that is not a JSON object is replaced, never sent on (the gateway would fail)")
  void aNonObjectIsReplaced(AdapterDriver driver, String header) throws Exception {
    for (String value : List.of("[1,2]", "\"x\"", "not json")) {
      upstream.reset();
      assertThat(send(driver, provider(header, b -> {}), chat().withHeader(header, value))).as(value)
          .isEqualTo(200);
      upstreamSawTheKey();
    }
  }

  @Test
  @DisplayName("the gateway is a real judge: no base, a relative base or a non-object is refused")
  void theGatewayRefusesWhatLlamaStackRefuses() throws Exception {
    java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
    Map<String, Integer> expected = Map.of(
        "{\"azure_api_key\":\"" + KEY + "\"}", 400,
        "{\"azure_api_key\":\"" + KEY + "\",\"azure_api_base\":\"\"}", 400,
        "{\"azure_api_key\":\"" + KEY + "\",\"azure_api_base\":\"/openai/v1\"}", 400,
        "{\"azure_api_base\":\"" + AZURE + "\"}", 400,
        "[1,2]", 500,
        "\"x\"", 500,
        "{\"azure_api_key\":\"" + KEY + "\",\"azure_api_base\":\"" + AZURE + "\"}", 200);
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      for (String header : HEADERS) {
        java.net.http.HttpResponse<String> r = plain.send(java.net.http.HttpRequest.newBuilder(
                URI.create(gateway.baseUrl() + "/chat/completions")).header(header, e.getKey())
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(header + ": " + e.getKey()).isEqualTo(e.getValue());
        if (e.getValue() == 400) {
          assertThat(r.body()).contains("API key not provided");
        }
      }
    }
  }

  private ProviderConfig provider(String header, Consumer<ProviderConfig.Builder> customize) {
    ProviderConfig.Builder b = ProviderConfig.builder("gateway").baseUrl(gateway.baseUrl().toString())
        .set("apiKey", KEY).providerDataHeader(header);
    customize.accept(b);
    return b.build();
  }

  private TestRequest chat() {
    return TestRequest.postJson(URI.create(gateway.baseUrl() + "/chat/completions"), CHAT);
  }

  private static int send(AdapterDriver driver, ProviderConfig config, TestRequest request) throws Exception {
    try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.of(config));
        AdapterDriver.Client client = driver.open(auth.authenticator(config.name()));
        TestResponse response = client.send(request)) {
      String body = response.bodyText();
      assertThat(response.status()).as("body: " + body).isNotZero();
      return response.status();
    }
  }

  private void upstreamSawTheKey() {
    List<RecordedRequest> got = upstream.recorded();
    assertThat(got).hasSize(1);
    assertThat(got.get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
  }
}
