package dev.llmauth.codex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the Codex CLI's {@code config.toml} (next to {@code auth.json}, in {@code $CODEX_HOME}) says about where it
 * keeps its sign-in: the top-level {@code cli_auth_credentials_store} key, {@code file} (the default),
 * {@code keyring}, {@code auto} (the keyring when there is one, else the file) or {@code ephemeral} (openai/codex
 * {@code codex-rs/config/src/types.rs}, {@code enum AuthCredentialsStoreMode}, serde lowercase). Only that one key is
 * read, with a line-based reading that is enough for it.
 */
final class CodexCliConfig {
  static final String KEY = "cli_auth_credentials_store";
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "^\\s*(?:" + KEY + "|\"" + KEY + "\")\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')\\s*(?:#.*)?$");
  private static final Pattern TABLE = Pattern.compile("^\\s*\\[.*");
  /** A configuration file larger than this is not read. */
  private static final long MAX_SIZE = 1024 * 1024;

  private CodexCliConfig() {}

  /**
   * Reads the storage mode.
   *
   * @param config the {@code config.toml}
   * @return the mode in lower case, or {@code null} when the file or the key is absent or unreadable
   */
  static @Nullable String credentialsStore(Path config) {
    try {
      if (!Files.isRegularFile(config) || Files.size(config) > MAX_SIZE) {
        return null;
      }
      for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
        if (TABLE.matcher(line).matches()) {
          return null;
        }
        Matcher m = ASSIGNMENT.matcher(line);
        if (m.matches()) {
          String value = m.group(1) != null ? m.group(1) : m.group(2);
          return value.trim().toLowerCase(Locale.ROOT);
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
    return null;
  }

  /**
   * Says why the Codex CLI's sign-in is not in {@code auth.json} and how to change that, when its configuration
   * keeps it in the OS keyring.
   *
   * @param authFile the sign-in file
   * @param fileExists whether the file exists
   * @return the note, or {@code null} when the configuration does not explain a missing or stale file
   */
  static @Nullable String keyringNote(Path authFile, boolean fileExists) {
    Path config = authFile.resolveSibling("config.toml");
    String mode = credentialsStore(config);
    boolean keyring = "keyring".equals(mode) || ("auto".equals(mode) && !fileExists);
    if (!keyring) {
      return null;
    }
    String fix = "to share the sign-in, set " + KEY + " = \"file\" in " + config + " and run `codex login` again, "
        + "or sign in with `llm-auth login codex`";
    return fileExists
        ? "note: " + config + " sets " + KEY + " = \"" + mode + "\", so the Codex CLI keeps its sign-in in the OS "
            + "keyring and does not use this file; " + fix
        : "the Codex CLI keeps its sign-in in the OS keyring (" + KEY + " = \"" + mode + "\" in " + config
            + "), which llm-auth cannot read; " + fix;
  }
}
