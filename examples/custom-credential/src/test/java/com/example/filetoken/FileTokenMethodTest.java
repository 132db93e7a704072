package com.example.filetoken;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The method in use: found by ServiceLoader, chosen by the resolver, and following the file as it changes. */
class FileTokenMethodTest {
  @Test
  void isChosenByTheResolverAndFollowsTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "first-token\n");
    try (MockModelServer server = new MockModelServer().start();
        LlmAuth auth = LlmAuth.builder().environment(Map.of()).config(LlmAuthConfig.of(
            ProviderConfig.builder("sidecar").baseUrl(server.url("/v1").toString())
                .set(FileTokenMethod.BLOCK, Map.of("path", file.toString())).build())).build()) {
      RequestAuthenticator authenticator = auth.authenticator("sidecar");
      assertThat(authenticator.method()).isEqualTo(FileTokenMethod.METHOD);
      HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(), authenticator);
      HttpRequest request = HttpRequest.newBuilder(server.url("/v1/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build();

      assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      Files.writeString(file, "second-token-longer\n");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      assertThat(server.recorded()).extracting(r -> r.header("authorization"))
          .containsExactly("Bearer first-token", "Bearer second-token-longer");
    }
  }
}
