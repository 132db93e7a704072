package dev.llmauth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MSAL4J, azure-core and Apache HttpClient 5 log through SLF4J 1.7, which prints {@code Failed to load class
 * "org.slf4j.impl.StaticLoggerBinder"} to stderr when no binding is there. The command line, run as {@code
 * bin/llm-auth} runs it (a child JVM on {@code target/classes} and {@code target/lib}), sends a request through
 * Apache HttpClient and gets a managed-identity token through MSAL4J, and says nothing of SLF4J.
 */
class QuietLoggingTest {
  @TempDir Path home;

  @Test
  void apacheHttpClientAndMsal4jPrintNoSlf4jWarning() throws Exception {
    try (MockModelServer model = new MockModelServer().start();
        MockIdentityServer identity = new MockIdentityServer().start()) {
      Path config = Files.writeString(home.resolve("llm-auth.jsonc"), """
          {"providers": {
            "openai": {"baseUrl": "%s", "apiKey": "sk-quiet-%d"},
            "azure": {"type": "azure-openai", "baseUrl": "%s", "managedIdentity": {}}}}
          """.formatted(model.baseUrl(), System.nanoTime(), model.url("/openai/v1")));
      Map<String, String> env = Map.of("IDENTITY_ENDPOINT", identity.appServiceEndpoint().toString(),
          "IDENTITY_HEADER", identity.identityHeader(), "AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential");

      Run request = cli(env, "request", "--provider", "openai", "--client", "apache", "--config", config.toString());
      assertThat(request.exit).as(request.err).isZero();
      assertThat(model.recorded()).as("the request went through Apache HttpClient").hasSize(1);
      Run token = cli(env, "token", "--provider", "azure", "--config", config.toString());
      assertThat(token.exit).as(token.err).isZero();
      assertThat(identity.tokenRequests()).as("the token came through MSAL4J").isNotEmpty();

      for (Run run : List.of(request, token)) {
        assertThat(run.err).as("stderr").doesNotContain("SLF4J").doesNotContain("StaticLoggerBinder");
      }
    }
  }

  private record Run(int exit, String err) {}

  private Run cli(Map<String, String> env, String... args) throws Exception {
    Path classes = Paths.get("target", "classes").toAbsolutePath();
    Path lib = Paths.get("target", "lib").toAbsolutePath();
    assertThat(lib).as("cli/target/lib, copied before the tests").isDirectory();
    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", classes + File.pathSeparator + lib + File.separator + "*", "dev.llmauth.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().clear();
    pb.environment().put("HOME", home.toString());
    pb.environment().put("CODEX_HOME", home.resolve(".codex").toString());
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().putAll(env);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), err);
  }
}
