package com.example.filetoken;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialProvider;
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

/**
 * The {@code file-token} method: a bearer token kept in a file (for example one a sidecar refreshes), read
 * again whenever the file changes. Configure it with the provider field {@code "tokenFile": "/path/to/token"}.
 */
public final class FileTokenProvider implements CredentialProvider {
  /** The method id. */
  public static final String METHOD = "file-token";
  /** The provider field naming the file. */
  public static final String TOKEN_FILE = "tokenFile";

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FileTokenProvider() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public int priority() {
    return 150;
  }

  @Override
  public Set<String> extensionFields() {
    return Set.of(TOKEN_FILE);
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    Object file = config.extensions().get(TOKEN_FILE);
    if (!(file instanceof String path) || path.isEmpty()) {
      return Availability.unavailable("no " + TOKEN_FILE + " set");
    }
    return Files.isReadable(Path.of(path))
        ? Availability.available("token read from " + path)
        : Availability.unavailable(TOKEN_FILE + " " + path + " cannot be read; create it or fix the path");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    Object file = config.extensions().get(TOKEN_FILE);
    if (!(file instanceof String path) || path.isEmpty()) {
      throw new IllegalArgumentException("provider '" + config.name() + "' has no " + TOKEN_FILE);
    }
    return new FileCredential(Path.of(path));
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
