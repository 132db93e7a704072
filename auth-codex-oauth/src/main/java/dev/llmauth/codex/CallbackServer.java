package dev.llmauth.codex;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmauth.api.AuthException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The loopback server that receives the browser's redirect: {@code /auth/callback} (state checked, then the code
 * handed to the exchange), {@code /cancel}. It listens on 127.0.0.1 only and answers nothing to other callers.
 */
final class CallbackServer implements AutoCloseable {
  static final String CALLBACK_PATH = "/auth/callback";

  private final HttpServer server;
  private final ExecutorService executor;
  private final String state;
  private final CodeHandler handler;
  private final CompletableFuture<CodexSignIn.Result> result = new CompletableFuture<>();

  private CallbackServer(HttpServer server, String state, CodeHandler handler) {
    this.server = server;
    this.state = state;
    this.handler = handler;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "llm-auth-codex-callback");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Listens on {@code port}, or on {@code fallback} when {@code port} is taken.
   *
   * @throws AuthException when neither port is free
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

  private static HttpServer bind(int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
  }

  private static AuthException portsTaken(int port, int fallback, IOException cause) {
    return new AuthException(CodexSignIn.SIGN_IN_FAILED, "cannot listen for the sign-in callback on 127.0.0.1:"
        + port + (fallback != port ? " or :" + fallback : "") + ": the port is in use; close the other sign-in "
        + "(or the program using it) and try again, or use the device sign-in", cause);
  }

  int port() {
    return server.getAddress().getPort();
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
      if (e.getCause() instanceof AuthException ae) {
        throw ae;
      }
      throw new AuthException(CodexSignIn.SIGN_IN_FAILED, "the sign-in failed: "
          + e.getCause().getClass().getSimpleName(), e.getCause());
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
      if (!state.equals(params.get("state"))) {
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

  private static Map<String, String> query(String raw) {
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
    server.stop(0);
    executor.shutdownNow();
  }

  /** Exchanges the code from the redirect and stores the sign-in. */
  @FunctionalInterface
  interface CodeHandler {
    CodexSignIn.Result exchange(String code, String redirectUri);
  }
}
