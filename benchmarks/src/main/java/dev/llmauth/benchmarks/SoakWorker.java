package dev.llmauth.benchmarks;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.http.apache.LlmAuthExecChainHandler;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * One part of the {@link Soak}, in a JVM of its own: one credential method through one HTTP adapter, {@code threads}
 * threads sending requests to the model server for {@code seconds}, each request with a deadline. It prints its
 * client-side counts on standard output as {@code RESULT}, {@code FAILURE} and {@code STATUS} lines, tab-separated;
 * {@link Soak} checks what the model server received.
 *
 * <p>Arguments: {@code codex|entra jdk|okhttp|apache <model base URL> <seconds> <threads>}, and for {@code codex} the
 * {@code auth.json} path and the issuer URL. For {@code entra} the JVM's environment must point {@code
 * IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} at the identity server (MSAL4J reads only the process environment).
 */
public final class SoakWorker {
  /** Sent with each request: when the worker started it, in epoch milliseconds. */
  static final String SENT_HEADER = "X-Soak-Sent";
  /** The clients' own connect, read and call timeouts. */
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
  /** The cache's expiry margin: a 30 s margin scaled down with the token's lifetime (and then some). */
  static final Duration EXPIRY_MARGIN = Duration.ofMillis(300);
  /** A request that takes longer than this counts as lost, whatever its outcome. */
  static final Duration DEADLINE = Duration.ofSeconds(20);

  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

  private final LongAdder sent = new LongAdder();
  private final LongAdder ok = new LongAdder();
  private final LongAdder overdue = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private volatile boolean stop;

  private SoakWorker() {}

  /** One request through a client: the status. */
  @FunctionalInterface
  private interface Client {
    int post(URI uri, long sentAtMillis) throws Exception;
  }

  /**
   * Runs one part of the soak and prints its counts.
   *
   * @param args method, adapter, model base URL, seconds, threads [, auth.json, issuer]
   * @throws Exception when the part cannot be set up
   */
  public static void main(String[] args) throws Exception {
    String method = args[0];
    String adapter = args[1];
    String base = args[2];
    int seconds = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    ProviderConfig provider = switch (method) {
      case "codex" -> ProviderConfig.builder("codex").type(ProviderType.CODEX).baseUrl(base)
          .set("codexOAuth", java.util.Map.of("authFile", args[5], "issuer", args[6])).build();
      case "entra" -> ProviderConfig.builder("azure").type(ProviderType.AZURE_OPENAI).baseUrl(base)
          .set("managedIdentity", java.util.Map.of()).build();
      default -> throw new IllegalArgumentException("method must be codex or entra, got " + method);
    };
    // A 2-second token is an hour-long one scaled down 1,800 times: the cache's margins are scaled alike.
    TokenCache cache = TokenCache.builder()
        .refreshAhead(Duration.ofSeconds(1))
        .expiryMargin(EXPIRY_MARGIN)
        .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .fetchTimeout(Duration.ofSeconds(5))
        .minimumRefreshInterval(Duration.ofMillis(100))
        .build();
    HandOuts handOuts = new HandOuts();
    // Every method, discovered as LlmAuth would, with each credential it creates watched as it hands out tokens.
    List<CredentialMethod> watched = new ArrayList<>();
    for (CredentialMethod p : ServiceLoader.load(CredentialMethod.class)) {
      watched.add(handOuts.watch(p));
    }
    LlmAuth.Builder builder = LlmAuth.builder().config(LlmAuthConfig.of(provider)).tokenCache(cache)
        .credentialMethods(watched);
    if (method.equals("codex")) {
      builder.environment(Map.of());
    }
    try (LlmAuth auth = builder.build()) {
      RequestAuthenticator authenticator = auth.authenticator(provider.name());
      URI uri = URI.create(provider.effectiveBaseUrl() + "/chat/completions");
      SoakWorker worker = new SoakWorker();
      try (Clients clients = new Clients(adapter, authenticator, threads)) {
        worker.run(clients.client, uri, seconds, threads);
      }
      TokenCache.Stats stats = cache.stats();
      System.out.println("CACHE\tfetches=" + stats.fetches() + "\tfetchFailures=" + stats.failures());
      System.out.println(handOuts.line());
    } finally {
      cache.close();
    }
    System.out.flush();
    // Hung request threads are daemons: they do not keep this JVM alive.
    System.exit(0);
  }

  private void run(Client client, URI uri, int seconds, int threads) throws InterruptedException {
    AtomicLongArray inFlightSince = new AtomicLongArray(threads);
    long[][] latencies = new long[threads][];
    int[] counts = new int[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        long[] mine = new long[1024];
        int n = 0;
        while (!stop) {
          long start = System.nanoTime();
          inFlightSince.set(id, start);
          sent.increment();
          outcome(client, uri);
          long took = System.nanoTime() - start;
          inFlightSince.set(id, 0);
          if (took > DEADLINE.toNanos()) {
            overdue.increment();
          }
          if (n == mine.length) {
            mine = Arrays.copyOf(mine, n * 2);
          }
          mine[n++] = took;
          latencies[id] = mine;
          counts[id] = n;
        }
      }, "soak-" + t);
      workers[t].setDaemon(true);
    }
    for (Thread w : workers) {
      w.start();
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    stop = true;
    long giveUp = System.nanoTime() + DEADLINE.toNanos();
    for (Thread w : workers) {
      w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(giveUp - System.nanoTime())));
    }
    int hung = 0;
    for (int t = 0; t < threads; t++) {
      if (workers[t].isAlive() && inFlightSince.get(t) != 0) {
        hung++;
      }
    }
    // Only threads that have ended publish their latencies safely; a hung thread's are left out.
    long[] all = new long[0];
    for (int t = 0; t < threads; t++) {
      if (!workers[t].isAlive() && latencies[t] != null) {
        int from = all.length;
        all = Arrays.copyOf(all, from + counts[t]);
        System.arraycopy(latencies[t], 0, all, from, counts[t]);
      }
    }
    Arrays.sort(all);
    long answered = ok.sum() + statuses.values().stream().mapToLong(LongAdder::sum).sum()
        + failures.values().stream().mapToLong(LongAdder::sum).sum();
    System.out.printf(Locale.ROOT, "RESULT\tsent=%d\tok=%d\tanswered=%d\thung=%d\toverdue=%d\tp50=%.3f\tp99=%.3f"
            + "\tp999=%.3f\tmax=%.3f%n", sent.sum(), ok.sum(), answered, hung, overdue.sum(), millis(all, 0.50),
        millis(all, 0.99), millis(all, 0.999), all.length == 0 ? 0 : all[all.length - 1] / 1e6);
    new TreeMap<>(failures).forEach((kind, n) -> System.out.println("FAILURE\t" + kind + "\t" + n.sum()));
    new TreeMap<>(statuses).forEach((status, n) -> System.out.println("STATUS\t" + status + "\t" + n.sum()));
  }

  /**
   * The moment each token was handed to a request (the credential's future completing for the authenticator) and
   * the life the token had left then, by the system clock: less than the cache's expiry margin is a hand-out the
   * cache must never make, whatever happens to the request afterwards.
   */
  static final class HandOuts {
    private final LongAdder count = new LongAdder();
    private final LongAdder belowMargin = new LongAdder();
    private final LongAccumulator minLifeLeft = new LongAccumulator(Math::min, Long.MAX_VALUE);

    void record(AccessToken token) {
      long left = token.expiresAt().toEpochMilli() - System.currentTimeMillis();
      count.increment();
      minLifeLeft.accumulate(left);
      if (left < EXPIRY_MARGIN.toMillis()) {
        belowMargin.increment();
      }
    }

    String line() {
      return "HANDOUT\tcount=" + count.sum() + "\tbelowMargin=" + belowMargin.sum() + "\tminLifeLeftMillis="
          + (count.sum() == 0 ? 0 : minLifeLeft.get());
    }

    CredentialMethod watch(CredentialMethod p) {
      return new CredentialMethod() {
        @Override
        public String method() {
          return p.method();
        }

        @Override
        public String authMode() {
          return p.authMode();
        }

        @Override
        public int priority() {
          return p.priority();
        }

        @Override
        public Availability availability(ProviderConfig config, ResolutionContext context) {
          return p.availability(config, context);
        }

        @Override
        public Set<String> configKeys() {
          return p.configKeys();
        }

        @Override
        public Set<String> secretFields() {
          return p.secretFields();
        }

        @Override
        public java.util.List<dev.llmauth.api.spi.ConfigConflict> conflicts() {
          return p.conflicts();
        }

        @Override
        public Set<String> deprecatedAuthModes() {
          return p.deprecatedAuthModes();
        }

        @Override
        public @org.jspecify.annotations.Nullable Object parseConfig(dev.llmauth.api.spi.ConfigNode provider) {
          return p.parseConfig(provider);
        }

        @Override
        public Credential create(ProviderConfig config, ResolutionContext context) {
          Credential c = p.create(config, context);
          return new Credential() {
            @Override
            public String method() {
              return c.method();
            }

            @Override
            public TokenUse use() {
              return c.use();
            }

            @Override
            public String describe() {
              return c.describe();
            }

            @Override
            public CompletableFuture<AccessToken> token() {
              return c.token().thenApply(t -> {
                record(t);
                return t;
              });
            }

            @Override
            public boolean invalidate(AccessToken token) {
              return c.invalidate(token);
            }
          };
        }
      };
    }
  }

  /** Sends one request and counts exactly one outcome: a 200, another status or a failure of some kind. */
  private void outcome(Client client, URI uri) {
    try {
      int status = client.post(uri, System.currentTimeMillis());
      if (status == 200) {
        ok.increment();
      } else {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
      }
    } catch (Throwable t) {
      failures.computeIfAbsent(kind(t), k -> new LongAdder()).increment();
    }
  }

  /** The kind of a failure: the llm-auth error code when one is in the chain, else the kind of I/O failure. */
  static String kind(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof AuthException a) {
        return "token:" + a.code();
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpTimeoutException || c instanceof InterruptedIOException) {
        return "timeout";
      }
      if (c instanceof ConnectException) {
        return "connect";
      }
    }
    return (t instanceof IOException ? "io:" : "error:") + t.getClass().getSimpleName();
  }

  private static double millis(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  /** One adapter over a client sized for the threads, with timeouts below {@link #DEADLINE}. */
  private static final class Clients implements AutoCloseable {
    final Client client;
    private final Closeable closer;

    Clients(String adapter, RequestAuthenticator authenticator, int threads) {
      switch (adapter) {
        case "jdk" -> {
          HttpClient http = LlmAuthHttpClient.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(CLIENT_TIMEOUT).build(), authenticator);
          client = (uri, sentAt) -> http.send(HttpRequest.newBuilder(uri)
              .timeout(CLIENT_TIMEOUT)
              .header("Content-Type", "application/json")
              .header(SENT_HEADER, Long.toString(sentAt))
              .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofByteArray())
              .statusCode();
          closer = () -> { };
        }
        case "okhttp" -> {
          OkHttpClient http = LlmAuthInterceptor.install(new OkHttpClient.Builder(), authenticator)
              .connectionPool(new ConnectionPool(threads, 1, TimeUnit.MINUTES))
              .connectTimeout(CLIENT_TIMEOUT)
              .readTimeout(CLIENT_TIMEOUT)
              .callTimeout(CLIENT_TIMEOUT)
              .build();
          MediaType json = MediaType.get("application/json");
          client = (uri, sentAt) -> {
            try (Response r = http.newCall(new Request.Builder().url(uri.toString())
                .header(SENT_HEADER, Long.toString(sentAt))
                .post(RequestBody.create(BODY, json)).build()).execute()) {
              r.body().bytes();
              return r.code();
            }
          };
          closer = () -> {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
          };
        }
        case "apache" -> {
          // The default pool (5 connections per route) would make 59 of 64 threads queue for a connection.
          Timeout timeout = Timeout.of(CLIENT_TIMEOUT);
          CloseableHttpClient http = LlmAuthExecChainHandler.install(HttpClients.custom()
              .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                  .setMaxConnPerRoute(threads)
                  .setMaxConnTotal(threads)
                  .setDefaultConnectionConfig(ConnectionConfig.custom()
                      .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                  .build())
              .setDefaultRequestConfig(RequestConfig.custom()
                  .setConnectionRequestTimeout(timeout).setResponseTimeout(timeout).build()),
              authenticator).build();
          client = (uri, sentAt) -> {
            HttpPost post = new HttpPost(uri);
            post.setHeader(SENT_HEADER, Long.toString(sentAt));
            post.setEntity(new StringEntity(BODY, ContentType.APPLICATION_JSON));
            return http.execute(post, response -> {
              EntityUtils.consume(response.getEntity());
              return response.getCode();
            });
          };
          closer = http;
        }
        default -> throw new IllegalArgumentException("adapter must be jdk, okhttp or apache, got " + adapter);
      }
    }

    @Override
    public void close() throws IOException {
      closer.close();
    }
  }
}
