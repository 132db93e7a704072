package dev.llmauth.conformance.mock;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The base of the kit's mock servers: a {@code jdk.httpserver} bound to 127.0.0.1 on a free (or given) port,
 * recording every request, with a control API and {@code /__control/recorded}, {@code /__control/reset} and
 * {@code /__control/stop} paths for callers in other processes.
 *
 * <p>Every mock has the same shape: construct it (with a port, or none for a free one), configure it, then {@link
 * #start()} it; close it to stop it ({@link #close()} waits for nothing longer than a second). Subclasses register
 * their contexts in {@link #routes(HttpServer)}; the base records each request before a handler sees it.
 */
public abstract class MockServer implements AutoCloseable {
  /** The JSON used by every mock. */
  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY a client reusing the connection
    // waits for its delayed ACK, about 40 ms per request. The server reads this property once, on first use.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final int requestedPort;
  private final ConcurrentLinkedQueue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile @Nullable HttpServer server;
  private volatile @Nullable ExecutorService executor;

  /**
   * Creates a server that {@link #start()} binds to 127.0.0.1.
   *
   * @param port the port, or 0 for a free one
   */
  protected MockServer(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (a free one) to 65535, got " + port);
    }
    this.requestedPort = port;
  }

  /**
   * Binds the server to 127.0.0.1 and starts serving; subclasses return themselves with their own type.
   *
   * @return this server
   * @throws IllegalStateException if the server was started before
   * @throws UncheckedIOException if the port cannot be bound
   */
  public synchronized MockServer start() {
    if (server != null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is started already");
    }
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + requestedPort, e);
    }
    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, getClass().getSimpleName() + "-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(pool);
    http.createContext("/__control/recorded", ex -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (RecordedRequest r : recorded) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", r.method());
        m.put("uri", r.uri().toString());
        m.put("headers", r.headers());
        m.put("body", r.bodyText());
        out.add(m);
      }
      respond(ex, 200, "application/json", GSON.toJson(out));
    });
    http.createContext("/__control/reset", ex -> {
      reset();
      respond(ex, 204, null, "");
    });
    http.createContext("/__control/stop", ex -> {
      respond(ex, 204, null, "");
      Thread stopper = new Thread(this::close, getClass().getSimpleName() + "-stop");
      stopper.setDaemon(true);
      stopper.start();
    });
    routes(http);
    http.start();
    executor = pool;
    server = http;
    return this;
  }

  private HttpServer server() {
    HttpServer s = server;
    if (s == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " is not started: call start() first");
    }
    return s;
  }

  /**
   * Registers the server's contexts. Called once from {@link #start()}, before the server serves.
   *
   * @param server the server
   */
  protected abstract void routes(HttpServer server);

  /**
   * Records a request and reads its body; call first in every handler.
   *
   * @param exchange the exchange
   * @return the recorded request
   * @throws IOException if the body cannot be read
   */
  protected final RecordedRequest record(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    RecordedRequest r = new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI(),
        exchange.getRequestHeaders(), body, Instant.now(), exchange.getRemoteAddress().getAddress().getHostAddress(),
        exchange.getRemoteAddress().getPort());
    recorded.add(r);
    return r;
  }

  /**
   * Sends a complete response and closes the exchange.
   *
   * @param exchange the exchange
   * @param status the status code
   * @param contentType the content type, or {@code null}
   * @param body the body text
   * @throws IOException on a write failure
   */
  protected static void respond(HttpExchange exchange, int status, @Nullable String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (contentType != null) {
      exchange.getResponseHeaders().set("Content-Type", contentType);
    }
    boolean empty = bytes.length == 0 || status == 204 || "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, empty ? -1 : bytes.length);
    if (!empty) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  /** Holds a request for a while (or until the server closes), then closes the connection without an answer. */
  static void stall(HttpExchange exchange, Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    exchange.close();
  }

  /**
   * Answers 200 with a {@code Content-Length} four times what it sends, then drops the connection: a body cut short.
   *
   * @throws IOException always, which makes the server drop the connection short of the promised length
   */
  static void shortBody(HttpExchange exchange, String part) throws IOException {
    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length * 4L);
    OutputStream out = exchange.getResponseBody();
    out.write(bytes);
    out.flush();
    throw new IOException("mock server: answer cut short");
  }

  /**
   * Parses {@code a=b&c=d} (a query string or a form body), URL-decoded; the first value of each name wins.
   *
   * @param raw the raw text, or {@code null}
   * @return the parameters
   */
  public static Map<String, String> formParameters(@Nullable String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  /** @return the base URL, such as {@code http://127.0.0.1:41234} (no trailing slash) */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /**
   * Resolves a path against {@link #url()}.
   *
   * @param path a path starting with {@code /}
   * @return the URL
   */
  public URI url(String path) {
    return URI.create(url() + path);
  }

  /** @return the port the server listens on */
  public int port() {
    return server().getAddress().getPort();
  }

  /** @return every request received since the start or the last {@link #reset()}, in arrival order */
  public List<RecordedRequest> recorded() {
    return List.copyOf(recorded);
  }

  /**
   * Returns the recorded requests that match.
   *
   * @param filter the condition
   * @return the matching requests, in arrival order
   */
  public List<RecordedRequest> recorded(Predicate<RecordedRequest> filter) {
    return recorded.stream().filter(filter).toList();
  }

  /** Forgets the recorded requests; subclasses also restore their default behaviour. */
  public void reset() {
    recorded.clear();
  }

  /**
   * The control URLs, for the standalone {@code Listening:} line.
   *
   * @return name to URL
   */
  protected Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("url", url().toString());
    m.put("recorded", url("/__control/recorded").toString());
    m.put("reset", url("/__control/reset").toString());
    m.put("stop", url("/__control/stop").toString());
    return m;
  }

  /** @return the one line a standalone server prints: {@code Listening: {json}} */
  public String listeningLine() {
    return "Listening: " + GSON.toJson(describe());
  }

  /**
   * Blocks until the server is stopped, by {@link #close()} or a request to {@code /__control/stop}; what a
   * standalone server's {@code main} does after printing {@link #listeningLine()}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /**
   * What every mock's {@code main} does: parses {@code [--port P]}, starts the server, prints {@link
   * #listeningLine()} and serves until {@code /__control/stop}, {@link #close()} or the end of the process.
   *
   * @param args the command line
   * @param name the server's name, for the usage line
   * @param start creates and starts a server on a port (0 for a free one)
   * @throws InterruptedException if interrupted while serving
   */
  protected static void serve(String[] args, String name, java.util.function.IntFunction<? extends MockServer> start)
      throws InterruptedException {
    int port = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port") && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: " + name + " [--port P]");
        System.exit(2);
      }
    }
    MockServer server = start.apply(port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println(server.listeningLine());
    System.out.flush();
    server.awaitStop();
  }

  /** Stops the server; a server never started just stops waiting in {@link #awaitStop()}. */
  @Override
  public void close() {
    stopped.countDown();
    HttpServer http = server;
    ExecutorService pool = executor;
    if (http == null || pool == null) {
      return;
    }
    http.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
