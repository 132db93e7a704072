package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.conformance.matrix.EntraFixture.Path;
import dev.llmauth.conformance.mock.MockIdentityServer.AnswerStyle;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The chain really runs over the transport this JVM selects (conformance-matrix/pom.xml: netty in the default run,
 * the JDK client in the {@code entra-jdk-transport} run), so that the Entra suites of each run prove that transport.
 */
class EntraTransportTest {
  private static final String JDK = "com.azure.core.http.jdk.httpclient.JdkHttpClientProvider";

  @Test
  @DisplayName("the chain's identity call goes over the selected transport")
  void chainUsesTheSelectedTransport() throws Exception {
    String selected = System.getenv("AZURE_HTTP_CLIENT_IMPLEMENTATION");
    assertThat(selected).as("conformance-matrix/pom.xml selects the transport for each run").isNotBlank();
    boolean jdk = JDK.equals(selected);
    try (EntraFixture fixture = new EntraFixture(Path.CHAIN, AnswerStyle.EXPIRES_IN_ONLY)) {
      ProviderConfig.Builder provider = ProviderConfig.builder("p").baseUrl("https://example.openai.azure.com/openai/v1");
      fixture.configure(provider);
      try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(provider.build()))
          .environment(fixture.environment()).build()) {
        auth.authenticator("p").authorize(OutgoingRequest.of("POST", URI.create("http://127.0.0.1:9/v1/x"),
            Map.of()));
      }
      assertThat(fixture.fetches().getAsInt()).isEqualTo(1);
    }
    List<String> netty = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("reactor-http")).toList();
    if (jdk) {
      assertThat(netty).as("no netty event loop over the JDK transport").isEmpty();
    } else {
      assertThat(netty).as("netty's event loop carried the call").isNotEmpty();
    }
  }
}
