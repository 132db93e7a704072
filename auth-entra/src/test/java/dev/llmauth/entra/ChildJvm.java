package dev.llmauth.entra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts a test main in a JVM of its own with exactly the given environment, and collects its output. */
final class ChildJvm {
  private ChildJvm() {}

  /** What the child printed. */
  record Output(int exitCode, List<String> lines, String stderr) {
    /** @return the lines starting with {@code OUT <command>}, without that prefix */
    List<String> out(String command) {
      String prefix = "OUT " + command;
      return lines.stream().filter(l -> l.equals(prefix) || l.startsWith(prefix + " "))
          .map(l -> l.substring(prefix.length()).trim()).toList();
    }

    String only(String command) {
      List<String> found = out(command);
      if (found.size() != 1) {
        throw new AssertionError("expected one '" + command + "' line, got " + found + "\nstdout: " + lines
            + "\nstderr: " + stderr);
      }
      return found.get(0);
    }
  }

  static Output run(Map<String, String> environment, List<String> jvmOptions, Class<?> main, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(environment);
    Process p = pb.start();
    p.getOutputStream().close();
    byte[][] out = new byte[2][];
    Thread outReader = drain(p.getInputStream(), out, 0);
    Thread errReader = drain(p.getErrorStream(), out, 1);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      outReader.join();
      errReader.join();
      throw new AssertionError("child JVM did not finish; it printed:\n" + new String(out[0], StandardCharsets.UTF_8)
          + "\n" + new String(out[1], StandardCharsets.UTF_8));
    }
    outReader.join();
    errReader.join();
    return new Output(p.exitValue(), new String(out[0], StandardCharsets.UTF_8).lines().toList(),
        new String(out[1], StandardCharsets.UTF_8));
  }

  private static Thread drain(java.io.InputStream in, byte[][] into, int slot) {
    Thread t = new Thread(() -> {
      try {
        into[slot] = in.readAllBytes();
      } catch (IOException e) {
        into[slot] = new byte[0];
      }
    });
    t.start();
    return t;
  }
}
