package dev.llmauth.cli;

import static dev.llmauth.cli.CliHarness.isolatedEnv;
import static dev.llmauth.cli.CliHarness.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.cli.CliHarness.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path home;

  @Test
  void everyMethodThroughEveryClientAuthenticates() {
    Result r = run(isolatedEnv(home), "demo");

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    List<String> lines = r.outLines();
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("METHOD")).findFirst().orElseThrow());
    List<String> rows = lines.subList(header + 1, header + 19);
    assertThat(rows).hasSize(18).allSatisfy(row -> assertThat(row).matches("\\S.* (jdk|okhttp|apache) +200 +3 .*"));
    assertThat(rows).filteredOn(row -> row.startsWith("api-key")).hasSize(6);
    assertThat(rows).filteredOn(row -> row.startsWith("entra")).hasSize(6)
        .allSatisfy(row -> assertThat(row).endsWith("Authorization: Bearer"));
    assertThat(rows).filteredOn(row -> row.startsWith("codex-oauth")).hasSize(3)
        .allSatisfy(row -> assertThat(row).endsWith("Authorization: Bearer + ChatGPT-Account-Id"));
    assertThat(rows).filteredOn(row -> row.startsWith("command")).hasSize(3)
        .allSatisfy(row -> assertThat(row).endsWith("Authorization: Bearer"));
    // the helper runs once: the first client's requests fetch the token, the other clients' are cache hits
    assertThat(rows).filteredOn(row -> row.startsWith("command")).extracting(row -> {
      String[] f = row.split("\\s+");
      return f[f.length - 4] + " " + f[f.length - 3];
    }).containsExactly("1 2", "0 3", "0 3");
    assertThat(lines.get(header + 19)).isEmpty();
    assertThat(r.out()).contains("18 of 18 method × client combinations authenticated");
    assertThat(r.err()).isEmpty();
  }
}
