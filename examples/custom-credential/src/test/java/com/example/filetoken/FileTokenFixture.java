package com.example.filetoken;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.conformance.MethodFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What the conformance kit needs to know about the file-token method: how to configure it, which token to expect
 * on the wire, and how to make it fail (delete the file).
 */
final class FileTokenFixture implements MethodFixture {
  private static final Secret TOKEN = Secret.of("file-token-6b1f0c2e9a");
  private final Path dir;
  private final Path file;

  FileTokenFixture() {
    try {
      dir = Files.createTempDirectory("file-token");
      file = dir.resolve("token");
      Files.writeString(file, TOKEN.reveal() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String method() {
    return FileTokenMethod.METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new FileTokenMethod();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    provider.set(FileTokenMethod.BLOCK, Map.of("path", file.toString()));
  }

  @Override
  public Secret currentToken() {
    return TOKEN;
  }

  /** Reading a local file is not fetching from an issuer: the rules about shared fetches do not apply. */
  @Override
  public OptionalInt fetches() {
    return OptionalInt.empty();
  }

  @Override
  public boolean failIssuer() {
    try {
      Files.delete(file);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<Secret> secrets() {
    return List.of(TOKEN);
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
