package dev.llmauth.conformance;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A small adapter over java.net.http, written to the rules, with switches that break one rule each: the kit's
 * self-tests prove that every rule notices.
 */
final class ReferenceDriver implements AdapterDriver {
  enum Fault {
    NONE, KEEP_CONFLICTS, MUTATE_CALLER, FETCH_EAGERLY, SERIALIZE, NO_REPLAY, REPLAY_LOOP, REPLAY_ONE_SHOT,
    IGNORE_CANCEL, BUFFER_STREAM, LEAK_SECRET, RAW_EXCEPTION, DROP_QUERY, DUPLICATE_SET_HEADERS,
    REDIRECT_WITH_CREDENTIAL, QUOTE_REFUSED_HEADER, ROUTE_IGNORED, SEND_ROUTING_HEADER, UNKNOWN_TO_FIRST,
    DEFAULT_IGNORED, REPLAY_ON_FIRST
  }

  private final Fault fault;
  private final HttpClient http = HttpClient.newHttpClient();

  ReferenceDriver(Fault fault) {
    this.fault = fault;
  }

  @Override
  public String name() {
    return "reference-" + fault;
  }

  @Override
  public boolean supportsOneShotBodies() {
    return true;
  }

  @Override
  public Client open(RequestAuthenticator authenticator) {
    if (fault == Fault.FETCH_EAGERLY) {
      authenticator.authorize(OutgoingRequest.of("GET", URI.create("http://127.0.0.1/"), Map.of()));
    }
    return new Adapter(authenticator);
  }

  /** Routes by the header {@link ProviderRouter#HEADER}, removed before sending (unless broken). */
  @Override
  public RoutingClient openRouting(ProviderRouter router) {
    RequestAuthenticator first = router.authenticator(new java.util.TreeSet<>(router.providers()).first());
    return (request, provider) -> {
      String named = fault == Fault.ROUTE_IGNORED ? null : provider;
      RequestAuthenticator chosen;
      if (named == null && fault == Fault.DEFAULT_IGNORED) {
        chosen = first;
      } else if (named != null && !router.providers().contains(named) && fault == Fault.UNKNOWN_TO_FIRST) {
        chosen = first;
      } else if (named == null && router.defaultProvider() == null && fault == Fault.ROUTE_IGNORED) {
        chosen = first;
      } else {
        try {
          chosen = router.authenticator(named);
        } catch (AuthException e) {
          throw new IOException(e.getMessage(), e);
        }
      }
      TestRequest sent = fault == Fault.SEND_ROUTING_HEADER && provider != null
          ? request.withHeader(ProviderRouter.HEADER, provider) : request;
      return new Adapter(chosen, fault == Fault.REPLAY_ON_FIRST ? first : chosen).send(sent);
    };
  }

  private final class Adapter implements Client {
    private final RequestAuthenticator auth;
    private final RequestAuthenticator replayAuth;
    private volatile String lastSent = "";

    Adapter(RequestAuthenticator auth) {
      this(auth, auth);
    }

    Adapter(RequestAuthenticator auth, RequestAuthenticator replayAuth) {
      this.auth = auth;
      this.replayAuth = replayAuth;
    }

    @Override
    public TestResponse send(TestRequest request) throws Exception {
      Map<String, List<String>> caller = mutableCopy(request.headers());
      if (fault == Fault.SERIALIZE) {
        synchronized (this) {
          return exchange(request, caller);
        }
      }
      return exchange(request, caller);
    }

    private TestResponse exchange(TestRequest request, Map<String, List<String>> caller) throws Exception {
      Authorization a = authorize(auth, request);
      HttpResponse<InputStream> response = send(request, caller, a);
      int attempts = 1;
      while (response.statusCode() == 401 && fault != Fault.NO_REPLAY
          && attempts < (fault == Fault.REPLAY_LOOP ? 5 : 2) && auth.invalidate(a)
          && (!request.oneShotBody() || fault == Fault.REPLAY_ONE_SHOT)) {
        response.body().close();
        a = authorize(replayAuth, request);
        response = send(request, caller, a);
        attempts++;
      }
      return new TestResponse(response.statusCode(), response.headers().map(), response.body(), caller);
    }

    @Override
    public CompletableFuture<TestResponse> sendAsync(TestRequest request) {
      Map<String, List<String>> caller = mutableCopy(request.headers());
      CompletableFuture<Authorization> pending = auth.authorizeAsync(view(request));
      CompletableFuture<TestResponse> out = new CompletableFuture<>();
      out.whenComplete((x, t) -> {
        if (out.isCancelled() && fault != Fault.IGNORE_CANCEL) {
          pending.cancel(true);
        }
      });
      CompletableFuture<Authorization> awaited = fault == Fault.IGNORE_CANCEL
          ? auth.authorizeAsync(view(request)) : pending;
      awaited.whenComplete((a, t) -> {
        if (t != null) {
          out.completeExceptionally(new IOException(RequestAuthenticator.asAuthException(t).getMessage(), t));
          return;
        }
        try {
          HttpResponse<InputStream> r = send(request, caller, a);
          out.complete(new TestResponse(r.statusCode(), r.headers().map(), r.body(), caller));
        } catch (Exception e) {
          out.completeExceptionally(e);
        }
      });
      return out;
    }

    private Authorization authorize(RequestAuthenticator from, TestRequest request) throws IOException {
      try {
        return from.authorize(view(request));
      } catch (AuthException e) {
        if (fault == Fault.RAW_EXCEPTION) {
          throw e;
        }
        String message = fault == Fault.LEAK_SECRET ? e.getMessage() + "; last sent " + lastSent : e.getMessage();
        throw new IOException(message, e);
      }
    }

    private HttpResponse<InputStream> send(TestRequest request, Map<String, List<String>> caller, Authorization a)
        throws IOException, InterruptedException {
      Map<String, List<String>> headers = fault == Fault.MUTATE_CALLER ? caller : mutableCopy(caller);
      if (fault != Fault.KEEP_CONFLICTS) {
        for (String name : a.headersToRemove()) {
          if (fault == Fault.DUPLICATE_SET_HEADERS && a.headerNames().stream().anyMatch(name::equalsIgnoreCase)) {
            continue;
          }
          headers.keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).equals(name));
        }
      }
      StringBuilder sent = new StringBuilder();
      a.forEachHeader((name, value) -> {
        if (fault != Fault.DUPLICATE_SET_HEADERS) {
          headers.keySet().removeIf(k -> k.equalsIgnoreCase(name));
        }
        headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        sent.append(name).append('=').append(value).append(' ');
      });
      lastSent = sent.toString();
      URI uri = request.uri();
      if (fault == Fault.DROP_QUERY) {
        uri = URI.create(uri.toString().replaceFirst("\\?.*$", ""));
      }
      byte[] body = request.body();
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(request.method(),
          body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        for (String v : h.getValue()) {
          try {
            b.header(h.getKey(), v);
          } catch (IllegalArgumentException e) {
            // java.net.http's message quotes the value.
            throw fault == Fault.QUOTE_REFUSED_HEADER ? new IOException(e.getMessage(), e)
                : new IOException("header " + h.getKey() + " refused; the value is not shown");
          }
        }
      }
      if (fault == Fault.BUFFER_STREAM) {
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Buffered(r);
      }
      HttpResponse<InputStream> response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      java.util.Optional<String> location = response.headers().firstValue("Location");
      if (fault == Fault.REDIRECT_WITH_CREDENTIAL && response.statusCode() / 100 == 3 && location.isPresent()) {
        // Follows the redirect with every header of the first request, the credential included.
        response.body().close();
        return http.send(b.uri(uri.resolve(location.get())).build(), HttpResponse.BodyHandlers.ofInputStream());
      }
      return response;
    }
  }

  private static OutgoingRequest view(TestRequest request) {
    return OutgoingRequest.of(request.method(), request.uri(), request.headers());
  }

  private static Map<String, List<String>> mutableCopy(Map<String, List<String>> headers) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    headers.forEach((k, v) -> m.put(k, new ArrayList<>(v)));
    return m;
  }

  /** A response whose body was read whole before the caller saw it. */
  private static final class Buffered implements HttpResponse<InputStream> {
    private final HttpResponse<byte[]> r;

    Buffered(HttpResponse<byte[]> r) {
      this.r = r;
    }

    @Override
    public int statusCode() {
      return r.statusCode();
    }

    @Override
    public HttpRequest request() {
      return r.request();
    }

    @Override
    public java.util.Optional<HttpResponse<InputStream>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return r.headers();
    }

    @Override
    public InputStream body() {
      return new ByteArrayInputStream(r.body());
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return r.sslSession();
    }

    @Override
    public URI uri() {
      return r.uri();
    }

    @Override
    public HttpClient.Version version() {
      return r.version();
    }
  }
}
