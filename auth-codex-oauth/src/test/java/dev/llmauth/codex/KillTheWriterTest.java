package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate JVM rewrites auth.json without pause and is killed (SIGKILL) at random moments, many times: after
 * each kill the file holds one whole generation, never older than the last one seen, as valid JSON with mode 0600,
 * and any temporary file left behind is readable by its owner only. The next write removes such leftovers.
 */
class KillTheWriterTest {
  private static final int KILLS = 40;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  @TempDir Path dir;

  @Test
  void aWriterKilledAtAnyMomentLeavesTheOldOrTheNewFileNeverAPartOne() throws Exception {
    Path authFile = dir.resolve("auth.json");
    AuthFile file = new AuthFile(authFile);
    file.write(WriterChild.content(0));
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Random random = new Random(20_300_101L);
    long lastGeneration = 0;
    int advanced = 0;
    int leftovers = 0;

    for (int kill = 0; kill < KILLS; kill++) {
      Process child = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classPath,
          WriterChild.class.getName(), authFile.toString()).redirectErrorStream(true).start();
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY");
        Thread.sleep(20 + random.nextInt(300));
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }

      JsonObject o = JsonParser.parseString(Files.readString(authFile)).getAsJsonObject();
      long generation = o.get("generation").getAsLong();
      assertThat(o.get("body").getAsString()).as("generation %d whole", generation)
          .isEqualTo(WriterChild.body(generation));
      assertThat(generation).isGreaterThanOrEqualTo(lastGeneration);
      advanced += generation > lastGeneration ? 1 : 0;
      lastGeneration = generation;
      assertThat(Files.getPosixFilePermissions(authFile)).isEqualTo(OWNER_ONLY);
      for (Path tmp : temporaryFiles()) {
        leftovers++;
        assertThat(Files.getPosixFilePermissions(tmp)).as("%s", tmp).isEqualTo(OWNER_ONLY);
      }
    }

    assertThat(advanced).as("the writer was killed while writing, not before").isGreaterThan(KILLS / 2);
    long next = lastGeneration + 1;
    file.locked(() -> {
      file.write(WriterChild.content(next));
      return null;
    });
    assertThat(temporaryFiles()).as("leftovers (%d seen) removed by the next write", leftovers).isEmpty();
    assertThat(JsonParser.parseString(Files.readString(authFile)).getAsJsonObject().get("generation").getAsLong())
        .isEqualTo(next);
  }

  private List<Path> temporaryFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
