package dev.llmauth.conformance.matrix;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.CodexOAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialProvider;
import dev.llmauth.codex.internal.CodexCredentialProvider;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The codex-oauth method: a ChatGPT sign-in in an {@code auth.json} whose access token has already expired, so the
 * first request causes exactly one refresh at a {@link MockOAuthServer}. {@code HOME} points at an empty temporary
 * directory; the sign-in is elsewhere and configured by {@code codexOAuth.authFile}, so a provider without that
 * setting finds no sign-in (rule C4).
 */
final class CodexOAuthFixture implements MethodFixture {
  /** More faults than any rule makes issuer calls: every later call fails. */
  private static final int FAULTS = 1000;

  private final MockOAuthServer issuer = new MockOAuthServer();
  private final Path home;
  private final Path authFile;
  private final Set<Secret> seen = new LinkedHashSet<>();

  CodexOAuthFixture() {
    try {
      home = Files.createTempDirectory("llm-auth-codex-");
      authFile = home.resolve("signin").resolve("auth.json");
      Map<String, Object> tokens = new LinkedHashMap<>();
      tokens.put("id_token", issuer.issueIdToken());
      tokens.put("access_token", issuer.issueAccessToken(Duration.ofMinutes(-5)));
      tokens.put("refresh_token", issuer.issueRefreshToken());
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("tokens", tokens);
      root.put("last_refresh", "2026-01-01T00:00:00Z");
      Files.createDirectories(authFile.getParent());
      Files.writeString(authFile, new Gson().toJson(root));
    } catch (IOException e) {
      issuer.close();
      throw new UncheckedIOException(e);
    }
    secrets();
  }

  @Override
  public String method() {
    return CodexCredentialProvider.METHOD;
  }

  @Override
  public CredentialProvider credentialProvider() {
    return new CodexCredentialProvider();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    provider.codexOAuth(new CodexOAuthConfig(authFile.toString(), issuer.issuer().toString(), null));
  }

  @Override
  public Map<String, String> environment() {
    return Map.of("HOME", home.toString());
  }

  /** The refreshed access token, as the credential stored it in {@code auth.json}. */
  @Override
  public Secret currentToken() {
    return Secret.of(tokens().get("access_token").getAsString());
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.of(issuer.refreshCount());
  }

  @Override
  public Runnable holdIssuer() {
    issuer.holdTokens();
    return issuer::releaseTokens;
  }

  @Override
  public boolean failIssuer() {
    for (int i = 0; i < FAULTS; i++) {
      issuer.enqueueTokenFault(503, "server_error");
    }
    return true;
  }

  /** Every token the sign-in held so far, and every refresh token sent to the issuer. */
  @Override
  public synchronized List<Secret> secrets() {
    tokens().entrySet().forEach(e -> {
      if (e.getValue().isJsonPrimitive() && !e.getKey().equals("account_id")) {
        seen.add(Secret.of(e.getValue().getAsString()));
      }
    });
    for (RecordedRequest r : issuer.recorded(r -> r.path().equals("/oauth/token"))) {
      JsonElement body = parse(r.bodyText());
      if (body != null && body.isJsonObject() && body.getAsJsonObject().has("refresh_token")) {
        seen.add(Secret.of(body.getAsJsonObject().get("refresh_token").getAsString()));
      }
    }
    return new ArrayList<>(seen);
  }

  @Override
  public void close() {
    issuer.releaseTokens();
    issuer.close();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonObject tokens() {
    try {
      return JsonParser.parseString(Files.readString(authFile)).getAsJsonObject().getAsJsonObject("tokens");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable JsonElement parse(String text) {
    try {
      return JsonParser.parseString(text);
    } catch (RuntimeException notJson) {
      return null;
    }
  }
}
