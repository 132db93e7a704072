package dev.llmauth.cli;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.config.LlmAuthConfig;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --config FILE}: where providers come from; without it, the environment fallback. */
final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "JSONC provider configuration; without it, one provider 'openai' from OPENAI_* variables.")
  @Nullable Path config;

  LlmAuthConfig load(Map<String, String> env) {
    return config != null ? LlmAuthConfig.load(config, env) : LlmAuthConfig.fromEnvironment(env);
  }

  LlmAuth open(Map<String, String> env) {
    return LlmAuth.builder().config(load(env)).environment(env).build();
  }
}
