package dev.llmauth.codex;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.conformance.mock.MockOAuthServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A mock issuer, a temporary home with an auth.json, a fake clock and a token cache. */
final class CodexFixture implements AutoCloseable {
  static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

  final MockOAuthServer issuer = new MockOAuthServer().start();
  final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  final Path home;
  final Path authFile;
  final TokenCache cache = TokenCache.builder().clock(clock).build();

  CodexFixture(Path home) {
    this.home = home;
    this.authFile = home.resolve(".codex").resolve("auth.json");
    issuer.clock(clock);
  }

  /** Writes an auth.json holding a sign-in from the mock, plus {@code extra} top-level members. */
  String writeSignIn(Duration accessLifetime, Map<String, Object> extra) {
    String refresh = issuer.issueRefreshToken();
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("id_token", issuer.issueIdToken());
    tokens.put("access_token", issuer.issueAccessToken(accessLifetime));
    tokens.put("refresh_token", refresh);
    tokens.put("account_id", MockOAuthServer.DEFAULT_ACCOUNT_ID);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("OPENAI_API_KEY", null);
    root.put("tokens", tokens);
    root.put("last_refresh", clock.instant().toString());
    root.putAll(extra);
    write(GSON.toJson(root));
    return refresh;
  }

  public void write(String json) {
    try {
      Files.createDirectories(authFile.getParent());
      Files.writeString(authFile, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String read() {
    try {
      return Files.readString(authFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Map<String, String> env() {
    return Map.of("HOME", home.toString());
  }

  ProviderConfig config() {
    return ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .baseUrl("http://127.0.0.1:9/backend-api/codex")
        .set("codexOAuth", new CodexOAuthSettings(null, issuer.issuer().toString(), null).toBlock()).build();
  }

  ResolutionContext context() {
    return context(cache);
  }

  ResolutionContext context(TokenCache tokenCache) {
    Map<String, String> env = env();
    return new ResolutionContext() {
      @Override
      public TokenCache tokenCache() {
        return tokenCache;
      }

      @Override
      public Map<String, String> environment() {
        return env;
      }

      @Override
      public InstantSource clock() {
        return clock;
      }
    };
  }

  RequestAuthenticator authenticator() {
    return authenticator(cache);
  }

  RequestAuthenticator authenticator(TokenCache tokenCache) {
    ProviderConfig config = config();
    return RequestAuthenticator.of(config, new CodexOAuthMethod().create(config, context(tokenCache)));
  }

  /** An authenticator whose provider sets {@code codexOAuth.connectTimeout} and {@code timeout}. */
  RequestAuthenticator authenticator(IssuerTimeouts timeouts) {
    ProviderConfig config = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .baseUrl("http://127.0.0.1:9/backend-api/codex")
        .set("codexOAuth", new CodexOAuthSettings(null, issuer.issuer().toString(), null, timeouts).toBlock())
        .build();
    return RequestAuthenticator.of(config, new CodexOAuthMethod().create(config, context(cache)));
  }

  static Authorization authorize(RequestAuthenticator a) {
    return a.authorize(dev.llmauth.api.OutgoingRequest.of("POST",
        URI.create("http://127.0.0.1:9/backend-api/codex/responses"), Map.of("Authorization", List.of("stale"))));
  }

  static Map<String, String> headers(Authorization a) {
    Map<String, String> out = new LinkedHashMap<>();
    a.forEachHeader(out::put);
    return out;
  }

  @Override
  public void close() {
    cache.close();
    issuer.close();
  }

  /** A clock tests move by hand. */
  static final class MutableClock implements InstantSource {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
