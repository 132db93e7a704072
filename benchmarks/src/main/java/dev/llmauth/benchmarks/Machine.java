package dev.llmauth.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Where and when a run happened, for the results files. */
final class Machine {
  private Machine() {}

  /** @return a JSON object with cores, CPU model, JDK, date and the load average (1, 5, 15 minutes) */
  static String json() {
    return "{\"cores\": " + Runtime.getRuntime().availableProcessors()
        + ", \"cpu\": " + Json.string(cpu())
        + ", \"jdk\": " + Json.string(System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
        + ", \"date\": " + Json.string(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
        + ", \"loadAverage\": " + Json.string(loadAverage()) + "}";
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpu() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse(System.getProperty("os.arch"));
    } catch (IOException e) {
      return System.getProperty("os.arch");
    }
  }

  /** The little JSON these programs write. */
  static final class Json {
    private Json() {}

    static String string(String s) {
      StringBuilder sb = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20) {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.append('"').toString();
    }
  }
}
