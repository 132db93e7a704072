package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.cli.CliHarness.Lines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MockCommandTest {
  @TempDir Path home;
  final HttpClient http = HttpClient.newHttpClient();

  private record Running(CompletableFuture<Integer> exit, JsonObject urls, Lines out) {}

  private Running start(String kind) throws InterruptedException {
    Lines out = new Lines();
    PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Cli.run(
        new String[] {"mock", kind, "--port", "0"}, new PrintStream(out, true, StandardCharsets.UTF_8), err,
        isolatedEnv(home)));
    String line = out.await("Listening: ");
    return new Running(exit, JsonParser.parseString(line.substring("Listening: ".length())).getAsJsonObject(), out);
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theModelServerAnswersUntilItsStopPathIsCalled() throws Exception {
    Running mock = start("model");
    URI chat = URI.create(mock.urls().get("chatCompletions").getAsString());
    assertThat(chat.getHost()).isEqualTo("127.0.0.1");
    assertThat(chat.getPort()).isPositive();

    HttpResponse<String> answer = send(HttpRequest.newBuilder(chat).header("Authorization", "Bearer t")
        .POST(HttpRequest.BodyPublishers.ofString(RequestCommand.DEFAULT_DATA)).build());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("Hello from the mock model.");
    assertThat(send(HttpRequest.newBuilder(URI.create(mock.urls().get("recorded").getAsString())).build()).body())
        .contains("/v1/chat/completions");
    assertThat(mock.exit()).isNotDone();

    send(HttpRequest.newBuilder(URI.create(mock.urls().get("stop").getAsString())).build());

    assertThat(mock.exit().get(1, TimeUnit.MINUTES)).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"identity", "oauth"})
  void theOtherServersPrintTheirUrlsAndStop(String kind) throws Exception {
    Running mock = start(kind);
    assertThat(mock.urls().get("url").getAsString()).startsWith("http://127.0.0.1:");

    send(HttpRequest.newBuilder(URI.create(mock.urls().get("stop").getAsString())).build());

    assertThat(mock.exit().get(1, TimeUnit.MINUTES)).isZero();
  }

  @Test
  void anInterruptStopsTheServer() throws Exception {
    Thread[] runner = new Thread[1];
    Lines out = new Lines();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    runner[0] = new Thread(() -> exit.complete(Cli.run(new String[] {"mock", "model"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), isolatedEnv(home))));
    runner[0].start();
    URI url = URI.create(JsonParser.parseString(out.await("Listening: ").substring("Listening: ".length()))
        .getAsJsonObject().get("url").getAsString());

    runner[0].interrupt();

    assertThat(exit.get(1, TimeUnit.MINUTES)).isZero();
    runner[0].join();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> send(HttpRequest.newBuilder(url).build()))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void badKindsAndPortsAreUsageErrors() {
    assertThat(run(isolatedEnv(home), "mock", "database").assertShortError(ExitCodes.USAGE).err())
        .contains("unknown mock 'database'; use identity, oauth or model");
    assertThat(run(isolatedEnv(home), "mock", "model", "--port", "70000").assertShortError(ExitCodes.USAGE).err())
        .contains("--port must be between 0 and 65535");
  }
}
