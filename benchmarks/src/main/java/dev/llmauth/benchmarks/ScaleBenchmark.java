package dev.llmauth.benchmarks;

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
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request cost with 1, 100 and 10,000 providers sharing one token cache: each has its own source, key,
 * 2 KB token and authenticator, all cached; the benchmark authorizes a request for each provider in turn, so at
 * 10,000 the entries no longer fit in the CPU caches. See {@link ScaleRun}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ScaleBenchmark {
  static final OutgoingRequest REQUEST = OutgoingRequest.of("POST",
      URI.create("https://res.openai.azure.com/openai/v1/chat/completions"), Map.of());

  /** How many providers. */
  @Param({"1", "100", "10000"})
  public int providers;

  private Fleet fleet;
  private int next;

  /** Creates and fills the providers. */
  @Setup(Level.Trial)
  public void fill() {
    fleet = new Fleet(providers, TokenCache.builder().build());
    fleet.authorizeAll();
  }

  /** Closes the cache. */
  @TearDown(Level.Trial)
  public void close() {
    fleet.cache.close();
  }

  /** @return the edits for the next provider's request */
  @Benchmark
  public Authorization hit() {
    int i = next;
    next = i + 1 == providers ? 0 : i + 1;
    return fleet.authenticators[i].authorize(REQUEST);
  }

  /** Providers over one cache, each with its own source, key, token and authenticator. */
  static final class Fleet {
    final TokenCache cache;
    final RequestAuthenticator[] authenticators;
    final String[] values;
    final AtomicInteger fetches = new AtomicInteger();

    Fleet(int size, TokenCache cache) {
      this.cache = cache;
      this.authenticators = new RequestAuthenticator[size];
      this.values = new String[size];
      Instant expiresAt = Instant.now().plus(Duration.ofHours(1));
      for (int i = 0; i < size; i++) {
        String value = RequestPathBenchmark.JWT.substring(0, RequestPathBenchmark.JWT.length() - 8)
            + String.format("%08d", i);
        values[i] = value;
        TokenSource source = TokenSource.blocking((r, reason) -> {
          fetches.incrementAndGet();
          return AccessToken.of(Secret.of(new String(value)), expiresAt);
        }, "provider " + i);
        authenticators[i] = RequestAuthenticator.of(ProviderConfig.builder("provider-" + i).build(),
            CachedCredential.builder("entra", cache, source).request(TokenRequest.forScope(Anchors.SCOPE)).build());
      }
    }

    /** @return how many authorizations carried another provider's token (always 0 unless broken) */
    int authorizeAll() {
      int wrong = 0;
      for (int i = 0; i < authenticators.length; i++) {
        String[] sent = new String[1];
        authenticators[i].authorize(REQUEST).forEachHeader((name, v) -> sent[0] = v);
        if (!("Bearer " + values[i]).equals(sent[0])) {
          wrong++;
        }
      }
      return wrong;
    }
  }

  static List<Integer> sizes() {
    return List.of(1, 100, 10_000);
  }
}
