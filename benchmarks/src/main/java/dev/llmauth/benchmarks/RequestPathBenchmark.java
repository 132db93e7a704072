package dev.llmauth.benchmarks;

import com.azure.core.credential.AccessTokenCache;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.google.auth.oauth2.OAuth2Credentials;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

/**
 * What one request pays for its credential when the token is cached: from "here is the request" to the header
 * value ready to set, for ours and for the libraries whose users get the same job done.
 *
 * <ul>
 *   <li>{@code ours}: {@link RequestAuthenticator#authorize} with the SPI's {@link CachedCredential} over our
 *       {@link TokenCache} (the credential of Entra, Codex OAuth and the credential helper), holding a 2 KB JWT (the size of an Entra access token for Azure OpenAI).
 *   <li>{@code oursAsync}: the same through {@link RequestAuthenticator#authorizeAsync}.
 *   <li>{@code oursProviderData}: a request that carries its own provider-data header (Llama Stack), into which
 *       the token is merged per request; the one case that depends on the request, so it is measured apart.
 *   <li>{@code azureCore}: what {@code BearerTokenAuthenticationPolicy} does per request, {@code
 *       AccessTokenCache.getTokenSync} and then {@code "Bearer " + token}.
 *   <li>{@code googleAuth}: {@code OAuth2Credentials.getRequestMetadata()}, which returns the finished header map.
 *   <li>{@code baseline}: returns a field; the harness's own cost.
 * </ul>
 *
 * <p>The profile is in the annotations, so {@code org.openjdk.jmh.Main RequestPath -t 2 -prof gc} runs the
 * published one; {@link HotPathRun} runs it at 1 and 2 threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class RequestPathBenchmark {
  /** A JWT-shaped value of 2,048 characters: header, claims padded like an Entra token's, RS256 signature. */
  static final String JWT = jwt(2048);
  private static final URI URL =
      URI.create("https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");

  private TokenCache cache;
  private RequestAuthenticator ours;
  private RequestAuthenticator oursProviderData;
  private OutgoingRequest request;
  private OutgoingRequest requestWithProviderData;
  private AccessTokenCache azureCache;
  private TokenRequestContext azureContext;
  private OAuth2Credentials google;
  private String floor;

  /** Builds each side and fills its cache once, so every measured call is a hit. */
  @Setup(Level.Trial)
  public void fill() throws IOException {
    Instant expiresAt = Instant.now().plus(Duration.ofHours(1));
    cache = TokenCache.builder().build();
    Credential credential = CachedCredential.builder("entra", cache,
        TokenSource.blocking((r, reason) -> AccessToken.of(Secret.of(JWT), expiresAt), "benchmark source"))
        .request(TokenRequest.forScope(Anchors.SCOPE)).build();
    ours = RequestAuthenticator.of(ProviderConfig.builder("azure-openai").baseUrl("https://res.openai.azure.com/openai")
        .build(), credential);
    oursProviderData = RequestAuthenticator.of(ProviderConfig.builder("llama-stack")
        .baseUrl("https://res.openai.azure.com/openai").providerDataHeader("X-LlamaStack-Provider-Data").build(),
        credential);
    request = OutgoingRequest.of("POST", URL, Map.of("Content-Type", List.of("application/json")));
    requestWithProviderData = OutgoingRequest.of("POST", URL, Map.of("Content-Type", List.of("application/json"),
        "X-LlamaStack-Provider-Data", List.of("{\"azure_api_version\":\"2024-10-21\"}")));
    check(ours.authorize(request));

    azureCache = new AccessTokenCache(new TokenCredential() {
      @Override
      public Mono<com.azure.core.credential.AccessToken> getToken(TokenRequestContext context) {
        return Mono.fromSupplier(() -> getTokenSync(context));
      }

      @Override
      public com.azure.core.credential.AccessToken getTokenSync(TokenRequestContext context) {
        return new com.azure.core.credential.AccessToken(JWT, expiresAt.atOffset(ZoneOffset.UTC));
      }
    });
    azureContext = new TokenRequestContext().addScopes(Anchors.SCOPE);
    if (!azureCore().equals("Bearer " + JWT)) {
      throw new IllegalStateException("azure-core anchor built a different header");
    }

    google = new OAuth2Credentials() {
      private static final long serialVersionUID = 1L;

      @Override
      public com.google.auth.oauth2.AccessToken refreshAccessToken() {
        return new com.google.auth.oauth2.AccessToken(JWT, Date.from(expiresAt));
      }
    };
    if (!List.of("Bearer " + JWT).equals(googleAuth().get("Authorization"))) {
      throw new IllegalStateException("google-auth anchor built a different header");
    }
    floor = "Bearer " + JWT;
  }

  /** Closes our cache. */
  @TearDown(Level.Trial)
  public void close() {
    cache.close();
  }

  /** @return our header edits for a cached token */
  @Benchmark
  public Authorization ours() {
    return ours.authorize(request);
  }

  /** @return our header edits for a cached token, as a completed future */
  @Benchmark
  public CompletableFuture<Authorization> oursAsync() {
    return ours.authorizeAsync(request);
  }

  /** @return our header edits for a request with its own provider-data header, merged per request */
  @Benchmark
  public Authorization oursProviderData() {
    return oursProviderData.authorize(requestWithProviderData);
  }

  /** @return azure-core's cached token made into the header value, as {@code BearerTokenAuthenticationPolicy} does */
  @Benchmark
  public String azureCore() {
    return "Bearer " + azureCache.getTokenSync(azureContext, false).getToken();
  }

  /**
   * @return google-auth-library's header map for a cached token
   * @throws IOException never, with a cached token
   */
  @Benchmark
  public Map<String, List<String>> googleAuth() throws IOException {
    return google.getRequestMetadata();
  }

  /** @return a field: the harness's floor */
  @Benchmark
  public String baseline() {
    return floor;
  }

  private static void check(Authorization a) {
    StringBuilder value = new StringBuilder();
    a.forEachHeader((name, v) -> value.append(name).append(": ").append(v));
    if (!value.toString().equals("Authorization: Bearer " + JWT)) {
      throw new IllegalStateException("ours built a different header");
    }
  }

  /** A JWT of {@code length} characters: base64url header, padded claims and a 256-byte signature. */
  static String jwt(int length) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString(("{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5t\":\"benchmark-key-thumbprint\","
        + "\"kid\":\"benchmark-key-thumbprint\"}").getBytes(StandardCharsets.UTF_8));
    String signature = b64.encodeToString(new byte[256]);
    StringBuilder claims = new StringBuilder("{\"aud\":\"https://cognitiveservices.azure.com\",\"iss\":"
        + "\"https://sts.windows.net/00000000-0000-0000-0000-000000000000/\",\"roles\":[],\"pad\":\"");
    String body;
    do {
      claims.append('x');
      body = b64.encodeToString((claims + "\"}").getBytes(StandardCharsets.UTF_8));
    } while (header.length() + body.length() + signature.length() + 2 < length);
    return header + "." + body + "." + signature;
  }
}
