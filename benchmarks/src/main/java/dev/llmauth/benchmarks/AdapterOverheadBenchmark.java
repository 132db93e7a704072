package dev.llmauth.benchmarks;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.http.apache.LlmAuthExecChainHandler;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One chat-completions request to a loopback {@link MockModelServer}, through each of our HTTP adapters and through
 * the same client without it, with the {@code Authorization: Bearer} header set by hand. The adapters use an
 * API-key authenticator, so no token is fetched: the difference is the adapter's own work (authorizing, copying the
 * request, watching for a 401). Each client keeps its connection alive, so every measured request reuses one
 * connection. Run single-threaded; see {@link AdapterRun}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AdapterOverheadBenchmark {
  private static final String KEY = "sk-adapter-benchmark-key";
  private static final String BEARER = "Bearer " + KEY;
  private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
  private static final MediaType JSON = MediaType.get("application/json");

  private MockModelServer server;
  private LlmAuth auth;
  private URI uri;
  private HttpClient jdkBare;
  private HttpClient jdkAdapter;
  private OkHttpClient okhttpBare;
  private OkHttpClient okhttpAdapter;
  private CloseableHttpClient apacheBare;
  private CloseableHttpClient apacheAdapter;

  /** Starts the server and the clients, and checks that every client sends the same header. */
  @Setup(Level.Trial)
  public void start() throws IOException, InterruptedException {
    server = new MockModelServer().start();
    URI base = server.url("/v1");
    uri = URI.create(base + "/chat/completions");
    ProviderConfig provider = ProviderConfig.builder("openai")
        .type(ProviderType.OPENAI)
        .baseUrl(base.toString())
        .set("apiKey", KEY)
        .build();
    auth = LlmAuth.builder().config(LlmAuthConfig.of(provider)).environment(Map.of()).build();
    RequestAuthenticator authenticator = auth.authenticator("openai");
    jdkBare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    jdkAdapter = LlmAuthHttpClient.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
        authenticator);
    okhttpBare = new OkHttpClient.Builder().build();
    okhttpAdapter = new OkHttpClient.Builder().addInterceptor(LlmAuthInterceptor.of(authenticator)).build();
    apacheBare = apacheBuilder().build();
    apacheAdapter = LlmAuthExecChainHandler.install(apacheBuilder(), authenticator).build();
    int[] statuses = {jdkBare(), jdkAdapter(), okhttpBare(), okhttpAdapter(), apacheBare(), apacheAdapter()};
    List<String> sent = server.recorded().stream().map(r -> String.valueOf(r.header("Authorization"))).toList();
    if (sent.size() != statuses.length || !sent.stream().allMatch(BEARER::equals)) {
      throw new IllegalStateException("the clients did not all send the same Authorization header");
    }
    for (int status : statuses) {
      if (status != 200) {
        throw new IllegalStateException("the mock model server answered " + status);
      }
    }
    server.reset();
  }

  /** An Apache client builder with a pool large enough for {@link AdapterRun}'s 16 threads (the default is 5). */
  static HttpClientBuilder apacheBuilder() {
    return HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
        .setMaxConnPerRoute(64).setMaxConnTotal(64).build());
  }

  /** @return the chat-completions URI of the running server */
  URI uri() {
    return uri;
  }

  /** Forgets the recorded requests, so the server's record stays small. */
  @Setup(Level.Iteration)
  public void forget() {
    server.reset();
  }

  /** Closes the clients and the server. */
  @TearDown(Level.Trial)
  public void stop() throws IOException {
    apacheBare.close();
    apacheAdapter.close();
    for (OkHttpClient c : List.of(okhttpBare, okhttpAdapter)) {
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
    }
    auth.close();
    server.close();
  }

  /** @return the status, java.net.http with the header set by hand */
  @Benchmark
  public int jdkBare() throws IOException, InterruptedException {
    return jdk(jdkBare, HttpRequest.newBuilder(uri).header("Authorization", BEARER));
  }

  /** @return the status, java.net.http through {@code LlmAuthHttpClient} */
  @Benchmark
  public int jdkAdapter() throws IOException, InterruptedException {
    return jdk(jdkAdapter, HttpRequest.newBuilder(uri));
  }

  /** @return the status, OkHttp with the header set by hand */
  @Benchmark
  public int okhttpBare() throws IOException {
    return okhttp(okhttpBare, new Request.Builder().url(uri.toString()).header("Authorization", BEARER));
  }

  /** @return the status, OkHttp through {@code LlmAuthInterceptor} */
  @Benchmark
  public int okhttpAdapter() throws IOException {
    return okhttp(okhttpAdapter, new Request.Builder().url(uri.toString()));
  }

  /** @return the status, Apache HttpClient 5 classic with the header set by hand */
  @Benchmark
  public int apacheBare() throws IOException {
    HttpPost post = new HttpPost(uri);
    post.setHeader("Authorization", BEARER);
    return apache(apacheBare, post);
  }

  /** @return the status, Apache HttpClient 5 classic through {@code LlmAuthExecChainHandler} */
  @Benchmark
  public int apacheAdapter() throws IOException {
    return apache(apacheAdapter, new HttpPost(uri));
  }

  static int jdk(HttpClient client, HttpRequest.Builder request) throws IOException, InterruptedException {
    return client.send(request.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofByteArray())
        .statusCode();
  }

  static int okhttp(OkHttpClient client, Request.Builder request) throws IOException {
    try (Response response = client.newCall(request.post(RequestBody.create(BODY, JSON)).build()).execute()) {
      response.body().bytes();
      return response.code();
    }
  }

  static int apache(CloseableHttpClient client, HttpPost post) throws IOException {
    post.setEntity(new StringEntity(BODY, ContentType.APPLICATION_JSON));
    return client.execute(post, response -> {
      EntityUtils.consume(response.getEntity());
      return response.getCode();
    });
  }
}
