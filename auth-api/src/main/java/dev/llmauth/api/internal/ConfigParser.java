package dev.llmauth.api.internal;

import dev.llmauth.api.config.LlmAuthConfig;
import java.nio.file.Path;
import java.util.Map;

/** Reads JSONC configuration into {@link LlmAuthConfig}. */
public final class ConfigParser {
  private ConfigParser() {}

  public static LlmAuthConfig load(Path file, Map<String, String> environment) {
    throw new UnsupportedOperationException("IN PROGRESS");
  }

  public static LlmAuthConfig parse(String jsonc, String origin, Map<String, String> environment) {
    throw new UnsupportedOperationException("IN PROGRESS");
  }

  public static LlmAuthConfig fromEnvironment(Map<String, String> environment) {
    throw new UnsupportedOperationException("IN PROGRESS");
  }
}
