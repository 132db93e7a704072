package dev.llmauth.benchmarks;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
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

/**
 * The cost of getting a cached, fresh token ready to put in a header, for our {@code TokenCache} and the three
 * anchors, over the same in-memory source with a token that lives an hour. Each cache is filled once in setup,
 * so every measured call is a hit. This is the lookup alone; {@link RequestPathBenchmark} measures what a request
 * pays. Run at 1 and 2 threads with {@code -prof gc} (see {@link HotPathRun}); the profile is in the annotations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenCacheHotPathBenchmark {
  private final Map<Anchors.Impl, Anchors.Cached> caches = new EnumMap<>(Anchors.Impl.class);
  private Anchors.Cached ours;
  private Anchors.Cached azureCore;
  private Anchors.Cached googleAuth;
  private Anchors.Cached awsSdk;
  /** Our cache with a token listener registered, to show that listeners cost a hit nothing. */
  private TokenCache listened;
  private TokenCache.Handle listenedTokens;
  /** A key of {@link #listened}, used without a handle: each call looks its entry up in the map. */
  private TokenKey listenedKey;

  /** Creates and fills the four caches. */
  @Setup(Level.Trial)
  public void fill() {
    IssuedToken token = new IssuedToken("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.benchmark.token",
        Instant.now().plus(Duration.ofHours(1)));
    for (Anchors.Impl impl : Anchors.Impl.values()) {
      Anchors.Cached cached = impl.create(() -> token);
      cached.get();
      caches.put(impl, cached);
    }
    ours = caches.get(Anchors.Impl.OURS);
    azureCore = caches.get(Anchors.Impl.AZURE_CORE);
    googleAuth = caches.get(Anchors.Impl.GOOGLE_AUTH);
    awsSdk = caches.get(Anchors.Impl.AWS_SDK);
    listened = TokenCache.builder().build();
    listened.addListener(event -> { });
    listenedKey = TokenKey.of(TokenSource.blocking((request, reason) -> AccessToken.of(Secret.of(token.value()),
        token.expiresAt()), "benchmark source"), TokenRequest.forScope(Anchors.SCOPE));
    listenedTokens = listened.bind(listenedKey);
    listenedTokens.get();
  }

  /** Closes the caches. */
  @TearDown(Level.Trial)
  public void close() {
    caches.values().forEach(Anchors.Cached::close);
    listened.close();
  }

  /** @return our {@code TokenCache.Handle.get()} with a kept handle, then the value */
  @Benchmark
  public Object ours() {
    return ours.get();
  }

  /** @return {@link #ours()} with a token listener registered on the cache: a hit emits nothing */
  @Benchmark
  public Object oursWithListener() {
    return listenedTokens.get().value().reveal();
  }

  /** @return {@code TokenCache.get(key)} on the same cache as {@link #oursWithListener()}: a map lookup per call */
  @Benchmark
  public Object oursByKey() {
    return listened.get(listenedKey).value().reveal();
  }

  /** @return azure-core's {@code AccessTokenCache.getTokenSync}, as {@code BearerTokenAuthenticationPolicy} calls it */
  @Benchmark
  public Object azureCore() {
    return azureCore.get();
  }

  /** @return google-auth-library's {@code OAuth2Credentials.getRequestMetadata()} */
  @Benchmark
  public Object googleAuth() {
    return googleAuth.get();
  }

  /** @return the AWS SDK v2 {@code CachedSupplier.get()} */
  @Benchmark
  public Object awsSdk() {
    return awsSdk.get();
  }
}
