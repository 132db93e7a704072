package dev.llmauth.benchmarks;

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
  }

  /** Closes the caches. */
  @TearDown(Level.Trial)
  public void close() {
    caches.values().forEach(Anchors.Cached::close);
  }

  /** @return our {@code TokenCache.get(key)} with a kept key, then the value */
  @Benchmark
  public Object ours() {
    return ours.get();
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
