package dev.llmauth.conformance.matrix;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.Secret;
import dev.llmauth.codex.CodexOAuthMethod;
import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.conformance.IssuerFault;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.mock.Fault;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
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
 *
 * <p>Issuer faults (rules F1 to F11) are queued at the mock issuer until {@link #clearFaults()}. For {@link
 * IssuerFault#TIMEOUT} the issuer holds each call for a minute without answering, and the provider sets {@code
 * codexOAuth.connectTimeout} and {@code timeout} to {@link #SHORT_TIMEOUT} (10 s and 30 s by default). A refusal
 * is recovered from the way a user would: a new sign-in is stored.
 */
final class CodexOAuthFixture implements MethodFixture {
  /** More faults than any rule makes issuer calls: every later call fails. */
  private static final int FAULTS = 1000;
  /** The issuer client's connect and call timeouts under {@link IssuerFault#TIMEOUT}. */
  static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

  private final MockOAuthServer issuer = new MockOAuthServer().start();
  private final Path home;
  private final Path authFile;
  private final Set<Secret> seen = new LinkedHashSet<>();
  private @Nullable IssuerFault fault;

  CodexOAuthFixture() {
    try {
      home = Files.createTempDirectory("llm-auth-codex-");
      authFile = home.resolve("signin").resolve("auth.json");
      Files.createDirectories(authFile.getParent());
      signIn();
    } catch (IOException e) {
      issuer.close();
      throw new UncheckedIOException(e);
    }
    secrets();
  }

  /** Stores a sign-in whose access token has expired, so the first request refreshes it. */
  private void signIn() throws IOException {
    Map<String, Object> tokens = new LinkedHashMap<>();
    tokens.put("id_token", issuer.issueIdToken());
    tokens.put("access_token", issuer.issueAccessToken(Duration.ofMinutes(-5)));
    tokens.put("refresh_token", issuer.issueRefreshToken());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("tokens", tokens);
    root.put("last_refresh", "2026-01-01T00:00:00Z");
    Files.writeString(authFile, new Gson().toJson(root));
  }

  @Override
  public String method() {
    return CodexOAuthMethod.METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new CodexOAuthMethod();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    IssuerTimeouts timeouts = fault == IssuerFault.TIMEOUT ? new IssuerTimeouts(SHORT_TIMEOUT, SHORT_TIMEOUT)
        : CodexOAuthSettings.DEFAULT_TIMEOUTS;
    provider.set("codexOAuth", new CodexOAuthSettings(authFile.toString(), issuer.issuer().toString(), null,
        timeouts).toBlock());
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
      issuer.enqueue(Fault.error(503, "server_error"));
    }
    return true;
  }

  @Override
  public boolean injectFault(IssuerFault fault) {
    if (fault == IssuerFault.TRICKLE) {
      // MockOAuthServer has no trickling answer: F11 is skipped for this method, with the kit's reason.
      return false;
    }
    this.fault = fault;
    for (int i = 0; i < FAULTS; i++) {
      switch (fault) {
        case TIMEOUT -> issuer.enqueue(Fault.stall(Duration.ofMinutes(1)));
        case RESET -> issuer.enqueue(Fault.connectionReset());
        case RATE_LIMITED -> issuer.enqueue(Fault.error(429, "rate_limit_exceeded", IssuerFault.RETRY_AFTER));
        case SERVER_ERROR -> issuer.enqueue(Fault.error(503, "server_error"));
        case REJECTED -> issuer.enqueue(Fault.error(400, "invalid_grant"));
        case MALFORMED -> {
          if (i % 2 == 0) {
            issuer.enqueue(Fault.answer(200, "{\"access_token\": \"eyJhbGciOi"));
          } else {
            issuer.enqueue(Fault.shortBody());
          }
        }
        case MISSING_TOKEN -> issuer.enqueue(Fault.answer(200, "{\"token_type\": \"Bearer\", \"expires_in\": 3600}"));
        case HUGE_BODY -> issuer.enqueue(Fault.hugeBody(4L * 1024 * 1024));
        case EXPIRED_TOKEN -> {
          // Real refreshes whose access tokens have expired: the rotated refresh token stays usable.
          issuer.tokenLifetime(Duration.ofMinutes(-5));
          return true;
        }
      }
    }
    return true;
  }

  /** Queues 429s with the value as it is, for every later refresh. */
  @Override
  public boolean rateLimitWith(String retryAfter) {
    this.fault = IssuerFault.RATE_LIMITED;
    for (int i = 0; i < FAULTS; i++) {
      issuer.enqueue(Fault.error(429, "rate_limit_exceeded", retryAfter));
    }
    return true;
  }

  /** The issuer stamps each access token's {@code exp} with the suite's clock; the method reads the context's. */
  @Override
  public boolean issueTokensLiving(Duration lifetime, InstantSource clock) {
    issuer.tokenLifetime(lifetime);
    issuer.clock(clock);
    return true;
  }

  @Override
  public void clearFaults() {
    issuer.clearFaults();
    issuer.tokenLifetime(Duration.ofHours(1));
    if (fault == IssuerFault.REJECTED) {
      // The refused refresh token is never sent again: recovering takes a new sign-in, as the message says.
      try {
        secrets();
        signIn();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    fault = null;
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
