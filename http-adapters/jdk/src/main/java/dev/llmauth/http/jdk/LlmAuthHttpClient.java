package dev.llmauth.http.jdk;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.PushPromiseHandler;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * A {@link HttpClient} that authenticates every request with a {@link RequestAuthenticator} and otherwise
 * delegates to the client it wraps.
 *
 * <pre>{@code
 * HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(), auth.authenticator("openai"));
 * HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>Why {@code wrap}: {@link HttpClient} has no interceptor chain to add a step to, so the adapter is a client
 * that delegates to yours. The OkHttp and Apache HttpClient adapters add themselves to a client builder with
 * {@code install(builder, authenticator)} instead (and {@code of(authenticator)} gives their bare interceptor or
 * handler for a chain assembled by hand): one way per client.
 *
 * <p>For each request it sends a copy carrying the authenticator's header edits; the caller's {@link
 * HttpRequest} is never changed. When the server answers 401, the rejected token is invalidated and, when that
 * can help (the credential may produce a different token), the request is authorized again and sent once more
 * with the same body publisher, as the JDK client itself does on redirects; the discarded 401 body is never
 * given to the caller's body handler. A second 401 reaches the caller.
 *
 * <p>{@link #send} blocks while a token is fetched and fails with an {@link IOException} whose cause is the
 * {@link AuthException} when no token can be obtained. {@link #sendAsync} does not block; cancelling its future
 * ends that request's wait for a token, or the exchange itself once it is under way. Response bodies, including
 * streams of server-sent events, reach the caller's body handler untouched. WebSocket builders come from the
 * wrapped client and are not authenticated.
 *
 * <p>Wrapped over a {@link ProviderRouter} instead of one authenticator, it authenticates each request for the
 * provider named by its {@value ProviderRouter#HEADER} header (this client has no request attribute), which is
 * removed before the request is sent, or for the router's default when there is none; a request naming an unknown
 * provider, or none without a default, fails with an {@link IOException} naming the provider before anything is
 * sent.
 *
 * <p>The wrapped client must not follow redirects ({@link HttpClient.Redirect#NEVER}, the default of {@link
 * HttpClient#newHttpClient()}): {@code java.net.http} copies a request's headers to the redirect target, whatever
 * its host, so the credential would go along to another host. A 3xx response reaches the caller.
 */
public final class LlmAuthHttpClient extends HttpClient {
  private final HttpClient delegate;
  private final @Nullable RequestAuthenticator authenticator;
  private final @Nullable ProviderRouter router;

  private LlmAuthHttpClient(HttpClient delegate, @Nullable RequestAuthenticator authenticator,
      @Nullable ProviderRouter router) {
    this.delegate = Objects.requireNonNull(delegate, "client");
    this.authenticator = authenticator;
    this.router = router;
  }

  /**
   * Wraps a client.
   *
   * @param client the client that sends the requests; configure it as usual, without following redirects
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return a client that authenticates each request
   * @throws IllegalArgumentException when {@code client} follows redirects
   */
  public static HttpClient wrap(HttpClient client, RequestAuthenticator authenticator) {
    return new LlmAuthHttpClient(checked(client), Objects.requireNonNull(authenticator, "authenticator"), null);
  }

  /**
   * Wraps a client over a router: each request is authenticated for the provider its {@value
   * ProviderRouter#HEADER} header names, or the router's default; that header is never sent.
   *
   * @param client the client that sends the requests; configure it as usual, without following redirects
   * @param router the providers, from {@code ProviderRouter.of(auth, defaultProvider)}
   * @return a client that authenticates each request
   * @throws IllegalArgumentException when {@code client} follows redirects
   */
  public static HttpClient wrap(HttpClient client, ProviderRouter router) {
    return new LlmAuthHttpClient(checked(client), null, Objects.requireNonNull(router, "router"));
  }

  private static HttpClient checked(HttpClient client) {
    Redirect redirects = Objects.requireNonNull(client, "client").followRedirects();
    if (redirects != Redirect.NEVER) {
      throw new IllegalArgumentException("the client follows redirects (followRedirects " + redirects + "), and "
          + "java.net.http copies request headers to the redirect target whatever its host, which would send the "
          + "credential to another host; build the client with followRedirects(HttpClient.Redirect.NEVER) (the "
          + "default) and handle 3xx responses yourself");
    }
    return client;
  }

  /** The authenticator, or the one the router picks for the request's routing header. */
  private RequestAuthenticator authenticatorFor(HttpRequest request) throws IOException {
    if (authenticator != null) {
      return authenticator;
    }
    try {
      return Objects.requireNonNull(router).authenticator(request.headers().firstValue(ProviderRouter.HEADER)
          .orElse(null));
    } catch (AuthException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    Objects.requireNonNull(handler, "handler");
    RequestAuthenticator authenticator = authenticatorFor(request);
    Authorization authorization = authorize(authenticator, request);
    AtomicBoolean replay = new AtomicBoolean();
    HttpResponse<T> first = delegate.send(apply(authenticator, request, authorization),
        firstAttempt(authenticator, handler, authorization, replay));
    if (!replay.get()) {
      return first;
    }
    return delegate.send(apply(authenticator, request, authorize(authenticator, request)), handler);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler) {
    return sendAsync(request, handler, null);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, BodyHandler<T> handler, @Nullable PushPromiseHandler<T> pushPromiseHandler) {
    Objects.requireNonNull(handler, "handler");
    CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
    AtomicReference<CompletableFuture<?>> current = new AtomicReference<>();
    result.whenComplete((r, t) -> {
      if (result.isCancelled()) {
        CompletableFuture<?> step = current.get();
        if (step != null) {
          step.cancel(true);
        }
      }
    });
    RequestAuthenticator authenticator;
    try {
      authenticator = authenticatorFor(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    attemptAsync(authenticator, request, handler, pushPromiseHandler, true, result, current);
    return result;
  }

  private <T> void attemptAsync(
      RequestAuthenticator authenticator,
      HttpRequest request,
      BodyHandler<T> handler,
      @Nullable PushPromiseHandler<T> pushPromiseHandler,
      boolean first,
      CompletableFuture<HttpResponse<T>> result,
      AtomicReference<CompletableFuture<?>> current) {
    CompletableFuture<Authorization> authorization = authenticator.authorizeAsync(view(request));
    if (!step(current, authorization, result)) {
      return;
    }
    authorization.whenComplete((a, failure) -> {
      if (failure != null) {
        result.completeExceptionally(ioException(failure));
        return;
      }
      AtomicBoolean replay = new AtomicBoolean();
      BodyHandler<T> h = first ? firstAttempt(authenticator, handler, a, replay) : handler;
      HttpRequest authorized;
      try {
        authorized = apply(authenticator, request, a);
      } catch (IOException e) {
        result.completeExceptionally(e);
        return;
      }
      CompletableFuture<HttpResponse<T>> exchange = pushPromiseHandler == null
          ? delegate.sendAsync(authorized, h)
          : delegate.sendAsync(authorized, h, pushPromiseHandler);
      if (!step(current, exchange, result)) {
        return;
      }
      exchange.whenComplete((response, error) -> {
        if (error != null) {
          result.completeExceptionally(error);
        } else if (replay.get()) {
          attemptAsync(authenticator, request, handler, pushPromiseHandler, false, result, current);
        } else {
          result.complete(response);
        }
      });
    });
  }

  /** Records the step under way; cancels it when the caller has already cancelled. */
  private static boolean step(
      AtomicReference<CompletableFuture<?>> current, CompletableFuture<?> step, CompletableFuture<?> result) {
    current.set(step);
    if (result.isCancelled()) {
      step.cancel(true);
      return false;
    }
    return true;
  }

  /**
   * The body handler of the first attempt: on a 401 whose token the credential can replace, the body is discarded
   * and a replay is requested; everything else goes to the caller's handler.
   */
  private static <T> BodyHandler<T> firstAttempt(RequestAuthenticator authenticator, BodyHandler<T> handler,
      Authorization authorization, AtomicBoolean replay) {
    return info -> {
      if (info.statusCode() == 401 && authenticator.invalidate(authorization)) {
        replay.set(true);
        return BodySubscribers.<T>replacing(null);
      }
      return handler.apply(info);
    };
  }

  private static Authorization authorize(RequestAuthenticator authenticator, HttpRequest request)
      throws IOException, InterruptedException {
    try {
      return authenticator.authorize(view(request));
    } catch (AuthException e) {
      if (Thread.interrupted()) {
        InterruptedException interrupted = new InterruptedException(e.getMessage());
        interrupted.initCause(e);
        throw interrupted;
      }
      throw new IOException(e.getMessage(), e);
    }
  }

  private static IOException ioException(Throwable failure) {
    AuthException e = RequestAuthenticator.asAuthException(failure);
    return new IOException(e.getMessage(), e);
  }

  /** A view that reads the request where it is, copying nothing. */
  private static OutgoingRequest view(HttpRequest request) {
    return new OutgoingRequest() {
      @Override
      public String method() {
        return request.method();
      }

      @Override
      public URI uri() {
        return request.uri();
      }

      @Override
      public @Nullable String header(String name) {
        return request.headers().firstValue(name).orElse(null);
      }
    };
  }

  /**
   * A copy of {@code request} with the header edits applied and without the routing header. When {@code
   * java.net.http} refuses a header (its exception quotes the value, which may be a token), the failure names the
   * header only.
   *
   * @throws IOException when a header is refused
   */
  private static HttpRequest apply(RequestAuthenticator authenticator, HttpRequest request,
      Authorization authorization) throws IOException {
    List<String> removals = authorization.headersToRemove();
    HttpRequest.Builder copy = HttpRequest.newBuilder(request,
        (name, value) -> !removals.contains(name.toLowerCase(Locale.ROOT))
            && !name.equalsIgnoreCase(ProviderRouter.HEADER));
    String[] refused = new String[1];
    authorization.forEachHeader((name, value) -> {
      if (refused[0] == null) {
        try {
          copy.setHeader(name, value);
        } catch (IllegalArgumentException e) {
          refused[0] = name;
        }
      }
    });
    if (refused[0] != null) {
      throw new IOException("provider '" + authenticator.provider() + "': java.net.http refused header "
          + refused[0] + " from method " + authorization.method() + " (a name it reserves, or a value with a "
          + "character an HTTP header cannot carry); the request was not sent and the value is not shown");
    }
    return copy.build();
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  @Override
  public String toString() {
    return "LlmAuthHttpClient[" + (authenticator != null ? authenticator : router) + "]";
  }
}
