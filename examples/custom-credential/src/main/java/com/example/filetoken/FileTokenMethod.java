package com.example.filetoken;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@code file-token} method: a bearer token kept in a file (for example one a sidecar refreshes), read
 * again whenever the file changes. Configure it with its own block in a provider, {@code "fileToken": {"path":
 * "/path/to/token"}}, which it parses and checks itself ({@link #parseConfig}): the path is required, an unknown
 * field or a value of the wrong type is an error naming its path.
 */
public final class FileTokenMethod implements CredentialMethod {
  /** The method id. */
  public static final String METHOD = "file-token";
  /** The method's block in a provider object. */
  public static final String BLOCK = "fileToken";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FileTokenMethod() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public int priority() {
    return 150;
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(BLOCK);
  }

  /**
   * Parses the {@code fileToken} block.
   *
   * @param provider the provider object
   * @return the settings, or {@code null} when the provider has no {@code fileToken} block
   */
  @Override
  public @Nullable FileTokenSettings parseConfig(ConfigNode provider) {
    ConfigNode block = provider.get(BLOCK);
    if (block.isMissing()) {
      return null;
    }
    block.object("path");
    String path = block.get("path").text();
    if (path == null) {
      throw block.get("path").error("the token file is not set", "set path to the file that holds the token");
    }
    return new FileTokenSettings(Path.of(path));
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    FileTokenSettings settings = config.methodConfig(this, FileTokenSettings.class);
    if (settings == null) {
      return Availability.unavailable("no " + BLOCK + " set");
    }
    return Files.isReadable(settings.path())
        ? Availability.available("token read from " + settings.path())
        : Availability.unavailable(BLOCK + ".path " + settings.path() + " cannot be read; create it or fix the path");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    FileTokenSettings settings = config.methodConfig(this, FileTokenSettings.class);
    if (settings == null) {
      throw new ConfigException(config.name(), "providers." + config.name() + "." + BLOCK, "provider '"
          + config.name() + "' has no " + BLOCK + " block; add \"" + BLOCK + "\": {\"path\": \"/path/to/token\"}");
    }
    return new FileCredential(settings.path());
  }

  /** Reads the file on first use and again whenever its size or modification time changes. */
  private static final class FileCredential implements Credential {
    private final Path file;
    private volatile Snapshot current = new Snapshot(null, -1, null);

    FileCredential(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public TokenUse use() {
      return TokenUse.BEARER;
    }

    @Override
    public String describe() {
      return "bearer token from " + file;
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      try {
        return CompletableFuture.completedFuture(read());
      } catch (TokenException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    /** A replay helps when the file no longer holds the rejected token (it changed, or it is gone). */
    @Override
    public boolean invalidate(AccessToken rejected) {
      synchronized (this) {
        AccessToken cached = current.token;
        if (cached != null && cached.value().equals(rejected.value())) {
          current = new Snapshot(null, -1, null);
        }
      }
      try {
        return !read().value().equals(rejected.value());
      } catch (TokenException e) {
        return true;
      }
    }

    private synchronized AccessToken read() {
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (IOException e) {
        throw new TokenException("token file " + file + " cannot be read (" + e.getClass().getSimpleName()
            + "); write the token to it", e);
      }
      Snapshot s = current;
      if (s.token != null && s.size == attributes.size() && attributes.lastModifiedTime().equals(s.modified)) {
        return s.token;
      }
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new TokenException("token file " + file + " cannot be read (" + e.getClass().getSimpleName()
            + "); write the token to it", e);
      }
      if (text.isEmpty()) {
        throw new TokenException("token file " + file + " is empty; write the token to it", null);
      }
      AccessToken token = AccessToken.nonExpiring(Secret.of(text));
      current = new Snapshot(token, attributes.size(), attributes.lastModifiedTime());
      return token;
    }

    @Override
    public String toString() {
      return "FileCredential[" + file + "]";
    }
  }

  private record Snapshot(AccessToken token, long size, FileTime modified) {}
}
