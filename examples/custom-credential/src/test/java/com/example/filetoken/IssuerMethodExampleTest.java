package com.example.filetoken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.IssuerCall;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The method with an issuer that docs/conformance-kit.md shows ("What the SPI writes for you"): its tokens come from
 * an HTTP token endpoint through {@link IssuerCall}, with timeouts from its own block, and are held by the shared
 * token cache through {@link CachedCredential}. Keep the doc's code in step with this file.
 */
class IssuerMethodExampleTest {
  // --- the example, as in the doc ---

  /** The method's settings: where the issuer is and how long to wait for it. */
  record IssuerSettings(URI tokenUrl, IssuerTimeouts timeouts) {}

  /** A credential method configured by {@code "myIssuer": {"tokenUrl": "...", "timeout": "10s"}}. */
  public static final class IssuerMethod implements CredentialMethod {
    static final IssuerTimeouts DEFAULTS = new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
    /** The answer's fields; a real method reads the answer with its JSON library. */
    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d{1,9})");

    @Override
    public String method() {
      return "my-issuer";
    }

    @Override
    public int priority() {
      return 500;
    }

    @Override
    public Set<String> configKeys() {
      return Set.of("myIssuer");
    }

    @Override
    public @Nullable IssuerSettings parseConfig(ConfigNode provider) {
      ConfigNode block = provider.get("myIssuer");
      if (block.isMissing()) {
        return null;
      }
      block.object("tokenUrl", IssuerTimeouts.EXCHANGE_KEY, IssuerTimeouts.CONNECT_KEY);
      String url = block.get("tokenUrl").httpUrl("https://issuer.example/token");
      if (url == null) {
        throw block.get("tokenUrl").error("missing", "set tokenUrl to the issuer's token endpoint");
      }
      return new IssuerSettings(URI.create(url), DEFAULTS.read(block));
    }

    @Override
    public Availability availability(ProviderConfig config, ResolutionContext context) {
      IssuerSettings settings = config.methodConfig(this, IssuerSettings.class);
      return settings == null ? Availability.unavailable("no myIssuer set")
          : Availability.available("tokens from " + settings.tokenUrl());
    }

    @Override
    public Credential create(ProviderConfig config, ResolutionContext context) {
      IssuerSettings settings = config.methodConfig(this, IssuerSettings.class);
      if (settings == null) {
        throw new ConfigException(config.name(), "providers." + config.name() + ".myIssuer", "provider '"
            + config.name() + "' has no myIssuer block; add \"myIssuer\": {\"tokenUrl\": \"https://...\"}");
      }
      IssuerCall issuer = IssuerCall.create(settings.timeouts());
      TokenSource source = TokenSource.blocking((request, reason) -> fetch(issuer, settings.tokenUrl()),
          "my issuer at " + settings.tokenUrl());
      return CachedCredential.builder(method(), context.tokenCache(), source).build();
    }

    /** One token request; what the answer means is the method's to say. */
    private static AccessToken fetch(IssuerCall issuer, URI tokenUrl) throws IOException {
      IssuerCall.Answer answer = issuer.send(HttpRequest.newBuilder(tokenUrl)
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
          .header("Content-Type", "application/x-www-form-urlencoded").build());
      String where = "the issuer at " + tokenUrl;
      if (answer.status() != 200) {
        boolean permanent = answer.status() == 400 || answer.status() == 401 || answer.status() == 403;
        throw new TokenException(TokenException.TOKEN_UNAVAILABLE, where + " answered HTTP " + answer.status(),
            permanent, answer.retryAfter(), null);
      }
      if (answer.truncated()) {
        throw new TokenException(where + " answered with more than " + issuer.maxBodyBytes() + " bytes", null);
      }
      Matcher token = TOKEN.matcher(answer.text());
      Matcher expiresIn = EXPIRES_IN.matcher(answer.text());
      if (!token.find() || !expiresIn.find()) {
        throw new TokenException(where + " answered without access_token and expires_in", null);
      }
      return AccessToken.of(Secret.of(token.group(1)), answer.receivedAt().plusSeconds(
          Long.parseLong(expiresIn.group(1))));
    }
  }

  // --- the checks ---

  private final AtomicInteger calls = new AtomicInteger();
  private volatile int status = 200;
  private volatile String retryAfter = "";
  private final ServerSocket server = server();
  private final TokenCache cache = TokenCache.builder().build();

  /** A token endpoint on 127.0.0.1: one answer per connection, from {@link #status} and {@link #retryAfter}. */
  private ServerSocket server() {
    try {
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(() -> {
        while (!s.isClosed()) {
          try (Socket c = s.accept()) {
            readRequest(c.getInputStream());
            int n = calls.incrementAndGet();
            String body = "{\"access_token\": \"issued-" + n + "\", \"expires_in\": 3600}";
            String head = "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n"
                + (retryAfter.isEmpty() ? "" : "Retry-After: " + retryAfter + "\r\n") + "\r\n";
            OutputStream out = c.getOutputStream();
            out.write((head + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
          } catch (IOException e) {
            // closed at the end of the test
          }
        }
      }, "token-endpoint");
      t.setDaemon(true);
      t.start();
      return s;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the head and the Content-Length body of one request. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) != -1) {
      head.append((char) b);
    }
    Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    cache.close();
  }

  private ProviderConfig provider(Map<String, Object> block) {
    return ProviderConfig.builder("p").methods(List.of(new IssuerMethod())).set("myIssuer", block).build();
  }

  private Credential credential(ProviderConfig config) {
    return new IssuerMethod().create(config, new ResolutionContext() {
      @Override
      public TokenCache tokenCache() {
        return cache;
      }

      @Override
      public Map<String, String> environment() {
        return Map.of();
      }

      @Override
      public InstantSource clock() {
        return InstantSource.system();
      }
    });
  }

  private String tokenUrl() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/token";
  }

  @Test
  void tokensComeThroughTheCacheAndARejectionFetchesAgain() throws Exception {
    Credential credential = credential(provider(Map.of("tokenUrl", tokenUrl(), "timeout", "10s")));
    assertThat(calls).hasValue(0);
    AccessToken first = credential.token().get();
    assertThat(first.value().reveal()).isEqualTo("issued-1");
    assertThat(credential.token().get()).isSameAs(first);
    assertThat(credential.tokenIfReady()).isSameAs(first);
    assertThat(calls).hasValue(1);
    assertThat(credential.invalidate(first)).isTrue();
    assertThat(credential.token().get().value().reveal()).isEqualTo("issued-2");
  }

  @Test
  void aRateLimitCarriesTheIssuersRetryAfter() {
    status = 429;
    retryAfter = "30";
    Credential credential = credential(provider(Map.of("tokenUrl", tokenUrl())));
    CompletableFuture<AccessToken> token = credential.token();
    assertThatThrownBy(token::get).isInstanceOf(ExecutionException.class).satisfies(e -> {
      TokenException te = (TokenException) Futures.unwrap(e);
      assertThat(te.getMessage()).endsWith("answered HTTP 429");
      assertThat(te.isPermanent()).isFalse();
      assertThat(te.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    });
  }

  @Test
  void theBlockSetsTheTimeoutsAndRefusesABadOne() {
    ProviderConfig config = provider(Map.of("tokenUrl", tokenUrl(), "timeout", "2s", "connectTimeout", 0.5));
    assertThat(config.methodConfig(new IssuerMethod(), IssuerSettings.class).timeouts())
        .isEqualTo(new IssuerTimeouts(Duration.ofMillis(500), Duration.ofSeconds(2)));
    assertThat(provider(Map.of("tokenUrl", tokenUrl())).methodConfig(new IssuerMethod(), IssuerSettings.class)
        .timeouts()).isEqualTo(IssuerMethod.DEFAULTS);
    assertThatThrownBy(() -> provider(Map.of("tokenUrl", tokenUrl(), "timeout", "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("provider 'p', providers.p.myIssuer.timeout: \"soon\" is not a duration");
  }
}
