package dev.llmauth.codex;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/**
 * One process of the kill-the-writer test: rewrites auth.json through {@link AuthFile#write} under its lock, over
 * and over, each time with the next generation and a body only that generation has, until it is killed.
 */
public final class WriterChild {
  private WriterChild() {}

  public static void main(String[] args) throws Exception {
    AuthFile file = new AuthFile(Path.of(args[0]));
    JsonObject existing = file.read();
    long generation = existing == null ? 0 : existing.get("generation").getAsLong();
    System.out.println("READY");
    System.out.flush();
    while (true) {
      JsonObject next = content(++generation);
      file.locked(() -> {
        file.write(next);
        return null;
      });
    }
  }

  /** The content of a generation: its number and a large body derived from it. */
  static JsonObject content(long generation) {
    JsonObject o = new JsonObject();
    o.addProperty("generation", generation);
    o.addProperty("body", body(generation));
    return o;
  }

  static String body(long generation) {
    return Long.toString(generation, 36).repeat(40_000);
  }
}
