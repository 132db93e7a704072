package dev.llmauth.command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/** Small shell scripts written into a test's directory, run as real child processes. */
final class Scripts {
  private Scripts() {}

  /**
   * Writes an executable {@code /bin/sh} script.
   *
   * @param dir the directory
   * @param name the file name
   * @param body the script after the {@code #!} line
   * @return the script's path
   */
  static Path write(Path dir, String name, String body) {
    try {
      Path script = dir.resolve(name);
      Files.writeString(script, "#!/bin/sh\n" + body + "\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the environment a test hands the method: just enough for the scripts' tools */
  static Map<String, String> environment() {
    String path = System.getenv("PATH");
    return Map.of("PATH", path == null ? "/usr/bin:/bin" : path);
  }

  /** @return the number of lines in {@code file}, 0 when it does not exist */
  static int lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return a {@code command} block running {@code argv} */
  static Map<String, Object> block(List<String> argv, Map<String, Object> more) {
    Map<String, Object> block = new java.util.LinkedHashMap<>(more);
    block.put("argv", argv);
    return block;
  }
}
