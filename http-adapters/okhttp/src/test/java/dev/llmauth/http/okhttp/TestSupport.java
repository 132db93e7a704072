package dev.llmauth.http.okhttp;

import com.sun.net.httpserver.HttpServer;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Credential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback server that answers 401 to chosen bearer tokens, and a credential that rotates tokens. */
final class TestSupport {
  private TestSupport() {}

  static final class Server implements AutoCloseable {
    final HttpServer http;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final Set<String> rejected = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Server() {
      try {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      http.createContext("/", ex -> {
        ex.getRequestBody().readAllBytes();
        String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
        authorizations.add(auth);
        boolean deny = rejected.contains(auth);
        byte[] body = (deny ? "denied" : "ok " + ex.getRequestHeaders().getFirst("X-Keep")).getBytes(
            StandardCharsets.UTF_8);
        ex.sendResponseHeaders(deny ? 401 : 200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      http.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/v1/chat/completions");
    }

    @Override
    public void close() {
      http.stop(0);
    }
  }

  /** Hands out tok-1, tok-2, ...: a new token after each invalidation; fails when told to. */
  static final class RotatingCredential implements Credential {
    final AtomicInteger fetches = new AtomicInteger();
    volatile boolean fail;
    private volatile AccessToken current;

    @Override
    public String method() {
      return "test";
    }

    @Override
    public TokenUse use() {
      return TokenUse.BEARER;
    }

    @Override
    public String describe() {
      return "rotating test credential";
    }

    @Override
    public synchronized CompletableFuture<AccessToken> token() {
      if (fail) {
        return CompletableFuture.failedFuture(new TokenException("test issuer is down; start it", null));
      }
      if (current == null) {
        current = AccessToken.nonExpiring(Secret.of("tok-" + fetches.incrementAndGet()));
      }
      return CompletableFuture.completedFuture(current);
    }

    @Override
    public synchronized boolean invalidate(AccessToken token) {
      if (current != null && current.value().equals(token.value())) {
        current = null;
      }
      return true;
    }
  }

  static RequestAuthenticator authenticator(Credential credential) {
    return RequestAuthenticator.of(ProviderConfig.builder("test").build(), credential);
  }
}
