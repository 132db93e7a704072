package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate JVMs sharing one auth.json and one issuer: an expired token is refreshed exactly once. */
class MultiProcessRefreshTest {
  @TempDir Path dir;

  @Test
  void threeProcessesWithOneExpiredTokenCauseExactlyOneRefresh() throws Exception {
    try (MockOAuthServer issuer = new MockOAuthServer().start()) {
      issuer.tokenDelay(Duration.ofMillis(500));
      Path authFile = dir.resolve("codex").resolve("auth.json");
      Files.createDirectories(authFile.getParent());
      Map<String, Object> tokens = new LinkedHashMap<>();
      tokens.put("id_token", issuer.issueIdToken());
      tokens.put("access_token", issuer.issueAccessToken(Duration.ofMinutes(-10)));
      tokens.put("refresh_token", issuer.issueRefreshToken());
      tokens.put("account_id", MockOAuthServer.DEFAULT_ACCOUNT_ID);
      Files.writeString(authFile, CodexFixture.GSON.toJson(Map.of("tokens", tokens, "last_refresh",
          Instant.now().minus(Duration.ofHours(2)).toString())));
      Path go = dir.resolve("go");

      String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<Process> children = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        children.add(new ProcessBuilder(java, "-cp", classPath, RefreshChild.class.getName(), authFile.toString(),
            issuer.issuer().toString(), go.toString()).redirectErrorStream(true).start());
      }
      List<BufferedReader> outs = new ArrayList<>();
      for (Process p : children) {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        outs.add(r);
        assertThat(r.readLine()).isEqualTo("READY");
      }
      Files.writeString(go, "go");
      List<String> tokensSeen = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String line = outs.get(i).readLine();
        assertThat(children.get(i).waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(children.get(i).exitValue()).as("child output: %s", line).isZero();
        assertThat(line).startsWith("TOKEN ");
        tokensSeen.add(line);
      }

      assertThat(issuer.refreshCount()).isEqualTo(1);
      assertThat(tokensSeen).containsOnly(tokensSeen.get(0));
      assertThat(JsonParser.parseString(Files.readString(authFile)).getAsJsonObject().getAsJsonObject("tokens")
          .get("refresh_token").getAsString()).isNotEqualTo(tokens.get("refresh_token"));
    }
  }
}
