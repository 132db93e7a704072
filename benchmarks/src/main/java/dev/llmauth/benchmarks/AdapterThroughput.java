package dev.llmauth.benchmarks;

import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import dev.llmauth.http.apache.LlmAuthExecChainHandler;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * Throughput of loopback requests at 1 and 16 client threads, per client: bare, through the adapter with a static
 * key (the same header), through the adapter with a 2 KB JWT from our token cache that stays fresh, and the same
 * with 2-second tokens refreshed in the background about every half second (so refreshes fall in every measured
 * window; its p99 against the fresh JWT's is what a refresh costs a request). The four variants
 * run in turn in short windows, the order rotating each round, so that a change in the machine's load falls on all
 * alike. Each request is timed, for the p99.
 */
final class AdapterThroughput {
  static final int[] THREADS = {1, 16};

  private AdapterThroughput() {}

  /** One client at one thread count: requests per second and p99 latency of each variant. */
  record Result(String client, int threads, double[] rps, double[] p99Micros, long refreshes) {
    String row() {
      return String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.4f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %d |",
          client, threads, rps[0], rps[1], rps[1] / rps[0], p99Micros[0], p99Micros[1], rps[2], p99Micros[2], rps[3],
          p99Micros[3], refreshes);
    }

    String json() {
      return String.format(Locale.ROOT, "{\"client\": %s, \"threads\": %d, \"bareRequestsPerSecond\": %.1f, "
          + "\"adapterRequestsPerSecond\": %.1f, \"adapterOverBare\": %.4f, \"bareP99Micros\": %.1f, "
          + "\"adapterP99Micros\": %.1f, \"jwtRequestsPerSecond\": %.1f, \"jwtP99Micros\": %.1f, "
          + "\"jwtRefreshingRequestsPerSecond\": %.1f, \"jwtRefreshingP99Micros\": %.1f, \"refreshesDuringRun\": %d}",
          Machine.Json.string(client), threads, rps[0], rps[1], rps[1] / rps[0], p99Micros[0], p99Micros[1], rps[2],
          p99Micros[2], rps[3], p99Micros[3], refreshes);
    }
  }

  /** One request; returns the status. */
  @FunctionalInterface
  interface Send {
    int send() throws Exception;
  }

  static String header() {
    return "| client | threads | bare req/s | adapter req/s | adapter / bare | bare p99 µs | adapter p99 µs "
        + "| JWT req/s | JWT p99 µs | JWT refreshing req/s | JWT refreshing p99 µs | refreshes |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }

  /**
   * Runs every client at every thread count.
   *
   * @param b the started benchmark state (server and bare and static-key clients)
   * @param window the length of one measured window
   * @param rounds how many windows each variant gets, per client and thread count
   * @return the results
   */
  static List<Result> run(AdapterOverheadBenchmark b, Duration window, int rounds) throws Exception {
    CachedJwt steady = new CachedJwt(Duration.ofHours(1), Duration.ofMinutes(5), Duration.ofSeconds(30));
    CachedJwt refreshing = new CachedJwt(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
    // Between the refreshing variant's windows nobody else asks for its token; this keeps asking every 20 ms, so
    // the token is refreshed ahead in the background the whole run and never expires between windows.
    Thread keeper = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        refreshing.authenticator.authorize(ScaleBenchmark.REQUEST);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "refreshing-keeper");
    keeper.setDaemon(true);
    keeper.start();
    List<AutoCloseable> clients = new ArrayList<>();
    clients.add(keeper::interrupt);
    try {
      Send[][] jwt = new Send[3][2];
      int i = 0;
      for (CachedJwt c : List.of(steady, refreshing)) {
        HttpClient jdk = LlmAuthHttpClient.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
            c.authenticator);
        OkHttpClient okhttp = new OkHttpClient.Builder().addInterceptor(LlmAuthInterceptor.of(c.authenticator))
            .build();
        CloseableHttpClient apache = LlmAuthExecChainHandler.install(AdapterOverheadBenchmark.apacheBuilder(),
            c.authenticator).build();
        clients.add(apache);
        clients.add(() -> {
          okhttp.dispatcher().executorService().shutdown();
          okhttp.connectionPool().evictAll();
        });
        jwt[0][i] = () -> AdapterOverheadBenchmark.jdk(jdk, HttpRequest.newBuilder(b.uri()));
        jwt[1][i] = () -> AdapterOverheadBenchmark.okhttp(okhttp, new Request.Builder().url(b.uri().toString()));
        jwt[2][i] = () -> AdapterOverheadBenchmark.apache(apache, new HttpPost(b.uri()));
        i++;
      }
      List<Result> out = new ArrayList<>();
      for (int threads : THREADS) {
        out.add(run(b, refreshing, "jdk", threads, window, rounds, b::jdkBare, b::jdkAdapter, jwt[0][0], jwt[0][1]));
        out.add(run(b, refreshing, "okhttp", threads, window, rounds, b::okhttpBare, b::okhttpAdapter, jwt[1][0],
            jwt[1][1]));
        out.add(run(b, refreshing, "apache", threads, window, rounds, b::apacheBare, b::apacheAdapter, jwt[2][0],
            jwt[2][1]));
      }
      return out;
    } finally {
      for (AutoCloseable c : clients) {
        c.close();
      }
      steady.cache.close();
      refreshing.cache.close();
    }
  }

  private static Result run(AdapterOverheadBenchmark b, CachedJwt refreshing, String client, int threads,
      Duration window, int rounds, Send... variants) throws Exception {
    // Untimed: one short window each, so connections for every thread exist before the first measured window.
    for (Send v : variants) {
      window(b, v, threads, Duration.ofMillis(300));
    }
    int n = variants.length;
    long[] counts = new long[n];
    List<List<long[]>> latencies = new ArrayList<>();
    for (int v = 0; v < n; v++) {
      latencies.add(new ArrayList<>());
    }
    int refreshesBefore = refreshing.fetches.get();
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < n; k++) {
        int v = (round + k) % n;
        for (long[] l : window(b, variants[v], threads, window)) {
          counts[v] += l.length;
          latencies.get(v).add(l);
        }
      }
    }
    double seconds = rounds * window.toNanos() / 1e9;
    double[] rps = new double[n];
    double[] p99 = new double[n];
    for (int v = 0; v < n; v++) {
      rps[v] = counts[v] / seconds;
      p99[v] = p99(latencies.get(v));
    }
    return new Result(client, threads, rps, p99, refreshing.fetches.get() - refreshesBefore);
  }

  /** Runs {@code send} from {@code threads} threads for {@code window}; returns each thread's request times (ns). */
  private static long[][] window(AdapterOverheadBenchmark b, Send send, int threads, Duration window)
      throws Exception {
    b.forget();
    long[][] out = new long[threads][];
    Throwable[] failure = new Throwable[1];
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long[] end = new long[1];
    for (int t = 0; t < threads; t++) {
      int index = t;
      Thread worker = new Thread(() -> {
        long[] times = new long[1024];
        int n = 0;
        try {
          go.await();
          while (System.nanoTime() - end[0] < 0) {
            long start = System.nanoTime();
            int status = send.send();
            long took = System.nanoTime() - start;
            if (status != 200) {
              throw new IllegalStateException("the mock model server answered " + status);
            }
            if (n == times.length) {
              times = Arrays.copyOf(times, n * 2);
            }
            times[n++] = took;
          }
        } catch (Throwable e) {
          synchronized (failure) {
            failure[0] = e;
          }
        }
        out[index] = Arrays.copyOf(times, n);
      }, "throughput-" + t);
      workers.add(worker);
      worker.start();
    }
    end[0] = System.nanoTime() + window.toNanos();
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    synchronized (failure) {
      if (failure[0] != null) {
        throw new IllegalStateException("a request failed", failure[0]);
      }
    }
    return out;
  }

  private static double p99(List<long[]> parts) {
    long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    if (all.length == 0) {
      return Double.NaN;
    }
    return all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e3;
  }

  /**
   * A bearer credential over our token cache holding a 2 KB JWT of the given lifetime, from a source that takes
   * 20 ms; with a 2-second lifetime refreshed from 1.5 s before expiry, a background refresh starts about every
   * half second of use.
   */
  private static final class CachedJwt {
    final AtomicInteger fetches = new AtomicInteger();
    final TokenCache cache;
    final RequestAuthenticator authenticator;

    CachedJwt(Duration life, Duration refreshAhead, Duration margin) {
      cache = TokenCache.builder().refreshAhead(refreshAhead).expiryMargin(margin)
          .minimumRefreshInterval(Duration.ofMillis(100)).build();
      Credential credential = CachedCredential.builder("entra", cache, TokenSource.blocking((request, reason) -> {
        Thread.sleep(20);
        int n = fetches.incrementAndGet();
        return AccessToken.of(Secret.of(RequestPathBenchmark.JWT.substring(8) + "-" + n),
            Instant.now().plus(life));
      }, "refreshing benchmark source")).request(TokenRequest.forScope(Anchors.SCOPE)).build();
      authenticator = RequestAuthenticator.of(ProviderConfig.builder("azure-openai").build(), credential);
    }
  }

}
