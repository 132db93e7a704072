package dev.llmauth.codex;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.spi.Futures;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The loopback server that receives the browser's redirect: {@code /auth/callback} (state checked, then the code
 * handed to the exchange) and {@code /cancel} (state checked too, so that no other local program or web page can
 * end the sign-in). The redirect URI says {@code localhost}, which a browser may resolve to 127.0.0.1 or to ::1, so
 * it listens on both (on 127.0.0.1 only when this machine has no ::1), and takes a port only when both are free:
 * otherwise an IPv6-first browser would hand the code to whatever holds {@code [::1]:<port>}.
 */
final class CallbackServer implements AutoCloseable {
  static final String CALLBACK_PATH = "/auth/callback";
  private static final InetAddress V4_LOOPBACK;

  static {
    try {
      V4_LOOPBACK = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final List<HttpServer> servers;
  private final ExecutorService executor;
  private final String state;
  private final CodeHandler handler;
  private final CompletableFuture<CodexSignIn.Result> result = new CompletableFuture<>();

  private CallbackServer(List<HttpServer> servers, String state, CodeHandler handler) {
    this.servers = servers;
    this.state = state;
    this.handler = handler;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "llm-auth-codex-callback");
      t.setDaemon(true);
      return t;
    });
    for (HttpServer server : servers) {
      server.setExecutor(executor);
      server.createContext("/", this::handle);
      server.start();
    }
  }

  /**
   * Listens on {@code port}, or on {@code fallback} when {@code port} is taken on 127.0.0.1 or on ::1.
   *
   * @throws AuthException when neither port is free on both addresses
   */
  static CallbackServer start(int port, int fallback, String state, CodeHandler handler) {
    try {
      return new CallbackServer(bind(port), state, handler);
    } catch (BindException first) {
      if (fallback == port) {
        throw portsTaken(port, fallback, first);
      }
      try {
        return new CallbackServer(bind(fallback), state, handler);
      } catch (IOException second) {
        throw portsTaken(port, fallback, second);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
  }

  /** Binds 127.0.0.1 and, when this machine has it, ::1 on one port; port 0 picks one that is free on both. */
  private static List<HttpServer> bind(int port) throws IOException {
    InetAddress v6 = ipv6Loopback();
    for (int attempt = 0; ; attempt++) {
      HttpServer v4 = HttpServer.create(new InetSocketAddress(V4_LOOPBACK, port), 0);
      if (v6 == null) {
        return List.of(v4);
      }
      int bound = v4.getAddress().getPort();
      try {
        return List.of(v4, HttpServer.create(new InetSocketAddress(v6, bound), 0));
      } catch (BindException taken) {
        v4.stop(0);
        if (port != 0 || attempt == 9) {
          BindException e = new BindException("[::1]:" + bound + " is in use by another program");
          e.initCause(taken);
          throw e;
        }
      }
    }
  }

  private static @Nullable InetAddress ipv6Loopback() {
    try {
      InetAddress v6 = InetAddress.getByName("::1");
      return NetworkInterface.getByInetAddress(v6) != null ? v6 : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static AuthException portsTaken(int port, int fallback, IOException cause) {
    return new AuthException(CodexSignIn.SIGN_IN_FAILED, "cannot listen for the sign-in callback on localhost:"
        + port + (fallback != port ? " or :" + fallback : "") + " (both 127.0.0.1 and [::1] are needed, because the "
        + "browser may use either): " + cause.getMessage() + "; close the other sign-in (or the program using the "
        + "port) and try again, or use the device sign-in", cause);
  }

  int port() {
    return servers.get(0).getAddress().getPort();
  }

  /** @return how many addresses it listens on: 2 with ::1, 1 without */
  int addresses() {
    return servers.size();
  }

  String redirectUri() {
    return "http://localhost:" + port() + CALLBACK_PATH;
  }

  /** Waits for the sign-in to complete, fail or be cancelled. */
  CodexSignIn.Result await(Duration timeout) {
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AuthException(CodexSignIn.SIGN_IN_FAILED, "the browser sign-in did not complete within "
          + timeout.toMinutes() + " minutes; run the sign-in again (or use the device sign-in on a machine without "
          + "a browser)", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthException(CodexSignIn.SIGN_IN_FAILED, "the sign-in was interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e);
      if (cause instanceof AuthException ae) {
        throw ae;
      }
      throw new AuthException(CodexSignIn.SIGN_IN_FAILED, "the sign-in failed: " + cause.getClass().getSimpleName(),
          cause);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
        respond(ex, 403, "Forbidden");
        return;
      }
      String path = ex.getRequestURI().getRawPath();
      if (path.equals("/cancel")) {
        if (!stateMatches(query(ex.getRequestURI().getRawQuery()).get("state"))) {
          respond(ex, 400, "State mismatch");
          return;
        }
        respond(ex, 200, "Sign-in cancelled");
        result.completeExceptionally(new AuthException(CodexSignIn.SIGN_IN_FAILED, "the sign-in was cancelled",
            null));
        return;
      }
      if (!path.equals(CALLBACK_PATH)) {
        respond(ex, 404, "Not Found");
        return;
      }
      Map<String, String> params = query(ex.getRequestURI().getRawQuery());
      if (!stateMatches(params.get("state"))) {
        respond(ex, 400, "State mismatch");
        return;
      }
      String error = params.get("error");
      if (error != null && !error.isEmpty()) {
        String description = params.getOrDefault("error_description", "");
        String message = "the issuer refused the sign-in: " + error + (description.isBlank() ? "" : " ("
            + description + ")");
        respond(ex, 200, page("Sign-in failed", message));
        result.completeExceptionally(new AuthException(CodexSignIn.SIGN_IN_FAILED, message, null));
        return;
      }
      String code = params.get("code");
      if (code == null || code.isEmpty()) {
        String message = "the issuer's redirect carried no authorization code";
        respond(ex, 400, page("Sign-in failed", message));
        result.completeExceptionally(new AuthException(CodexSignIn.SIGN_IN_FAILED, message, null));
        return;
      }
      try {
        CodexSignIn.Result signedIn = handler.exchange(code, redirectUri());
        respond(ex, 200, page("Signed in", "You are signed in to ChatGPT. You can close this window."));
        result.complete(signedIn);
      } catch (RuntimeException e) {
        respond(ex, 500, page("Sign-in failed", e instanceof AuthException ? e.getMessage() : "the sign-in failed"));
        result.completeExceptionally(e);
      }
    }
  }

  private boolean stateMatches(@Nullable String given) {
    return given != null && MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
        given.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(@Nullable String raw) {
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

  private static String page(String title, String message) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
        + escape(title) + "</h1><p>" + escape(message) + "</p></body></html>";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", body.startsWith("<!doctype") ? "text/html; charset=utf-8"
        : "text/plain; charset=utf-8");
    ex.getResponseHeaders().set("Connection", "close");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    for (HttpServer server : servers) {
      server.stop(0);
    }
    executor.shutdownNow();
  }

  /** Exchanges the code from the redirect and stores the sign-in. */
  @FunctionalInterface
  interface CodeHandler {
    CodexSignIn.Result exchange(String code, String redirectUri);
  }
}
