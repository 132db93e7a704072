package com.example.filetoken;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code file-token} method's settings of one provider, parsed from its {@code fileToken} block.
 *
 * @param path the file that holds the token
 */
public record FileTokenSettings(Path path) {
  /** Requires the path. */
  public FileTokenSettings {
    Objects.requireNonNull(path, "path");
  }
}
