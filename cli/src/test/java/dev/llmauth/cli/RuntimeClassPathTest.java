package dev.llmauth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class path {@code bin/llm-auth} runs with ({@code target/classes} and {@code target/lib}) holds the kit's
 * mock servers and no test library: a child JVM started on it finds the command line and the mocks, and none of
 * JUnit, AssertJ or opentest4j.
 */
class RuntimeClassPathTest {
  private static final List<String> PRESENT = List.of("dev.llmauth.cli.Main",
      "dev.llmauth.conformance.mock.MockModelServer", "dev.llmauth.conformance.mock.MockIdentityServer",
      "dev.llmauth.conformance.mock.MockOAuthServer");
  private static final List<String> ABSENT = List.of("org.junit.jupiter.api.Test",
      "org.junit.platform.commons.util.ReflectionUtils", "org.assertj.core.api.Assertions",
      "org.opentest4j.AssertionFailedError", "dev.llmauth.conformance.CredentialMethodVerification");

  private static final String PROBE = """
      public class Probe {
        public static void main(String[] names) {
          for (String name : names) {
            boolean found;
            try {
              Class.forName(name, false, Probe.class.getClassLoader());
              found = true;
            } catch (ClassNotFoundException e) {
              found = false;
            }
            System.out.println((found ? "found " : "missing ") + name);
          }
        }
      }
      """;

  @Test
  void runtimeClassPathHasTheMocksAndNoTestLibrary(@TempDir Path dir) throws Exception {
    Path classes = Paths.get("target", "classes").toAbsolutePath();
    Path lib = Paths.get("target", "lib").toAbsolutePath();
    assertThat(lib).as("cli/target/lib, copied before the tests").isDirectory();
    try (var jars = Files.list(lib)) {
      assertThat(jars.map(j -> j.getFileName().toString())).as("the jars in target/lib")
          .anyMatch(name -> name.startsWith("conformance-mocks-"));
    }
    Path probe = Files.writeString(dir.resolve("Probe.java"), PROBE);

    List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", classes + File.pathSeparator + lib + File.separator + "*", probe.toString()));
    command.addAll(PRESENT);
    command.addAll(ABSENT);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    List<String> expected = new ArrayList<>();
    PRESENT.forEach(name -> expected.add("found " + name));
    ABSENT.forEach(name -> expected.add("missing " + name));
    assertThat(out.lines()).containsExactlyElementsOf(expected);
  }
}
