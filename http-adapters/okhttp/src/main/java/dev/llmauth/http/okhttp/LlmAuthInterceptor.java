package dev.llmauth.http.okhttp;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp application interceptor that authenticates every request with a {@link RequestAuthenticator}.
 *
 * <pre>{@code
 * OkHttpClient client = LlmAuthInterceptor.install(new OkHttpClient.Builder(), auth.authenticator("openai"))
 *     .build();
 * }</pre>
 *
 * <p>It runs on OkHttp 4.12 and 5.x alike: it uses only the API the two have in common, and reads whether the
 * client follows redirects only where OkHttp can say so ({@code Interceptor.Chain.getFollowRedirects()}, OkHttp
 * 5.4 and later), having looked once, when the class is loaded, whether that method exists.
 *
 * <p>{@link #install} adds it with {@code addInterceptor} (it may send a request twice, so it is not a network
 * interceptor), together with a network interceptor that removes every header it set from a request that a
 * redirect takes to another host: OkHttp itself drops only {@code Authorization} there, and would pass on an
 * {@code api-key}, a provider-data header, the provider's static headers and a token's own headers. Added alone
 * with {@link #of}, it cannot see the redirect, so on a client that follows redirects (or, before OkHttp 5.4, on
 * any client, since it cannot tell) it refuses to send a request that would carry any of those headers.
 *
 * <p>Why {@code install} and {@code of}: OkHttp has an interceptor chain, so the adapter is added to your {@code
 * OkHttpClient.Builder} ({@code install}, the way to use it); {@code of} is the bare interceptor, for what {@code
 * install} cannot do for you. {@code java.net.http.HttpClient} has no chain, so that adapter wraps a client
 * instead ({@code LlmAuthHttpClient.wrap}).
 *
 * <p>It proceeds with a copy of the request carrying the authenticator's header edits; the caller's {@link
 * Request} is never changed. When the server answers 401, the rejected token is invalidated and, when that can help (the
 * credential may produce a different token) and the body is not {@linkplain RequestBody#isOneShot() one-shot},
 * the 401 is closed and the request is authorized again and sent once more; a second 401 is returned to the
 * caller. An {@link okhttp3.Authenticator} set on the client sees only the response this interceptor returns.
 *
 * <p>Built over a {@link ProviderRouter} instead of one authenticator, it authenticates each request for the
 * provider its tag names ({@code tag(ProviderRouter.Route.class, new ProviderRouter.Route("azure"))}), or the
 * router's default when it has none; a request naming an unknown provider, or none without a default, fails with
 * an {@link IOException} naming the provider before anything is sent.
 *
 * <p>While a token is fetched, the call waits; {@link Call#cancel()} and the call timeout end the wait. When no
 * token can be obtained the call fails with an {@link IOException} whose cause is the {@link AuthException}. A
 * header value OkHttp refuses (a character outside visible ASCII) fails the call with an {@link IOException}
 * that names the header and never quotes the value.
 * Response bodies, including streams of server-sent events, are returned untouched.
 */
public final class LlmAuthInterceptor implements Interceptor {
  /** How often a waiting call checks whether it was cancelled. */
  private static final long CANCEL_CHECK_MILLIS = 25;

  /**
   * Whether {@code Interceptor.Chain} can say if the client follows redirects: OkHttp 5.4 added {@code
   * getFollowRedirects()}; OkHttp 4 and 5.0 to 5.3 have no way to tell. Looked up once; the call below links
   * only where it exists.
   */
  private static final boolean CHAIN_KNOWS_REDIRECTS = chainKnowsRedirects();

  /** Removes the credential headers from a request that a redirect took to another host. */
  private static final Interceptor REDIRECT_GUARD = chain -> {
    Request request = chain.request();
    CredentialOrigin origin = request.tag(CredentialOrigin.class);
    if (origin == null || origin.sameOrigin(request.url())) {
      return chain.proceed(request);
    }
    Request.Builder stripped = request.newBuilder();
    origin.headers().forEach(stripped::removeHeader);
    return chain.proceed(stripped.build());
  };

  private final @Nullable RequestAuthenticator authenticator;
  private final @Nullable ProviderRouter router;
  private final boolean guarded;

  private LlmAuthInterceptor(@Nullable RequestAuthenticator authenticator, @Nullable ProviderRouter router,
      boolean guarded) {
    this.authenticator = authenticator;
    this.router = router;
    this.guarded = guarded;
  }

  /**
   * Creates the interceptor alone, for {@code OkHttpClient.Builder.addInterceptor}. Alone it cannot remove headers
   * from a redirected request, so on a client that follows redirects a request that would carry any header other
   * than {@code Authorization} (an Azure {@code api-key}, a provider-data header, the provider's static headers, a
   * Codex account header) fails before it is sent: use {@link #install}, or {@code followRedirects(false)} on
   * OkHttp 5.4 and later. Before 5.4 OkHttp cannot tell an interceptor whether the client follows redirects, so
   * there such a request always fails here; a plain bearer token works everywhere.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the interceptor
   */
  public static LlmAuthInterceptor of(RequestAuthenticator authenticator) {
    return new LlmAuthInterceptor(Objects.requireNonNull(authenticator, "authenticator"), null, false);
  }

  /**
   * Creates the interceptor alone over a router: each request is authenticated for the provider its {@link
   * ProviderRouter.Route} tag names. The redirect limits of {@link #of(RequestAuthenticator)} apply.
   *
   * @param router the providers, from {@code ProviderRouter.of(auth, defaultProvider)}
   * @return the interceptor
   */
  public static LlmAuthInterceptor of(ProviderRouter router) {
    return new LlmAuthInterceptor(null, Objects.requireNonNull(router, "router"), false);
  }

  /**
   * Adds the interceptor to a builder, with the network interceptor that keeps the credential from following a
   * redirect to another host.
   *
   * @param builder the client builder
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return {@code builder}
   */
  public static OkHttpClient.Builder install(OkHttpClient.Builder builder, RequestAuthenticator authenticator) {
    return install(builder, new LlmAuthInterceptor(Objects.requireNonNull(authenticator, "authenticator"), null,
        true));
  }

  /**
   * Adds the interceptor over a router to a builder, with the redirect guard of {@link
   * #install(OkHttpClient.Builder, RequestAuthenticator)}: each request is authenticated for the provider its
   * {@link ProviderRouter.Route} tag names, or the router's default.
   *
   * @param builder the client builder
   * @param router the providers, from {@code ProviderRouter.of(auth, defaultProvider)}
   * @return {@code builder}
   */
  public static OkHttpClient.Builder install(OkHttpClient.Builder builder, ProviderRouter router) {
    return install(builder, new LlmAuthInterceptor(null, Objects.requireNonNull(router, "router"), true));
  }

  private static OkHttpClient.Builder install(OkHttpClient.Builder builder, LlmAuthInterceptor interceptor) {
    return builder.addInterceptor(interceptor).addNetworkInterceptor(REDIRECT_GUARD);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    RequestAuthenticator authenticator = authenticatorFor(request);
    Authorization authorization = authorize(authenticator, chain, request);
    if (!guarded && mayFollowRedirects(chain)) {
      refuseUnguardedRedirects(authenticator, authorization);
    }
    Response response = chain.proceed(apply(authenticator, request, authorization));
    if (response.code() != 401 || !authenticator.invalidate(authorization) || !replayable(request.body())) {
      return response;
    }
    response.close();
    return chain.proceed(apply(authenticator, request, authorize(authenticator, chain, request)));
  }

  /** The authenticator, or the one the router picks for the request's {@link ProviderRouter.Route} tag. */
  private RequestAuthenticator authenticatorFor(Request request) throws IOException {
    if (authenticator != null) {
      return authenticator;
    }
    ProviderRouter.Route route = request.tag(ProviderRouter.Route.class);
    try {
      return Objects.requireNonNull(router).authenticator(route == null ? null : route.provider());
    } catch (AuthException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static boolean replayable(@Nullable RequestBody body) {
    return body == null || !body.isOneShot() && !body.isDuplex();
  }

  /** A view that reads the request where it is, copying nothing. */
  private static OutgoingRequest view(Request request) {
    return new OutgoingRequest() {
      @Override
      public String method() {
        return request.method();
      }

      @Override
      public URI uri() {
        return request.url().uri();
      }

      @Override
      public @Nullable String header(String name) {
        return request.header(name);
      }
    };
  }

  private static Authorization authorize(RequestAuthenticator authenticator, Chain chain, Request request)
      throws IOException {
    CompletableFuture<Authorization> future = authenticator.authorizeAsync(view(request));
    Call call = chain.call();
    Timeout timeout = call.timeout();
    long deadline = timeout.hasDeadline() ? timeout.deadlineNanoTime() : Long.MAX_VALUE;
    try {
      while (true) {
        try {
          return future.get(CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException pending) {
          if (call.isCanceled()) {
            future.cancel(false);
            throw new IOException("Canceled while waiting for a token for provider '"
                + authenticator.provider() + "'");
          }
          if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
            future.cancel(false);
            throw new InterruptedIOException("timeout while waiting for a token for provider '"
                + authenticator.provider() + "'");
          }
        }
      }
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a token for provider '"
          + authenticator.provider() + "'");
    } catch (ExecutionException e) {
      AuthException failure = RequestAuthenticator.asAuthException(e);
      throw new IOException(failure.getMessage(), failure);
    }
  }

  private static boolean chainKnowsRedirects() {
    try {
      Interceptor.Chain.class.getMethod("getFollowRedirects");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** Whether OkHttp may follow a redirect after this interceptor: true where it cannot say. */
  private static boolean mayFollowRedirects(Chain chain) {
    return !CHAIN_KNOWS_REDIRECTS || chain.getFollowRedirects();
  }

  /**
   * OkHttp drops only {@code Authorization} when it follows a redirect to another host (RetryAndFollowUpInterceptor),
   * after this interceptor has run: every other header set here would go along.
   */
  private static void refuseUnguardedRedirects(RequestAuthenticator authenticator, Authorization authorization)
      throws IOException {
    for (String name : authorization.headerNames()) {
      if (!name.equalsIgnoreCase("Authorization")) {
        throw new IOException("provider '" + authenticator.provider() + "' sets the " + name + " header, which "
            + "OkHttp keeps when it follows a redirect to another host; add the interceptor with "
            + "LlmAuthInterceptor.install(builder, authenticator), which removes it there"
            + (CHAIN_KNOWS_REDIRECTS ? ", or build the client with followRedirects(false)"
                : " (before OkHttp 5.4 an interceptor cannot tell whether the client follows redirects)"));
      }
    }
  }

  /**
   * A copy of {@code request} with the header edits applied, tagged with its origin so that the redirect guard
   * can remove them on another host.
   */
  private static Request apply(RequestAuthenticator authenticator, Request request, Authorization authorization)
      throws IOException {
    Request.Builder copy = request.newBuilder();
    for (String name : authorization.headersToRemove()) {
      copy.removeHeader(name);
    }
    String[] refused = new String[1];
    authorization.forEachHeader((name, value) -> {
      if (refused[0] != null) {
        return;
      }
      try {
        copy.header(name, value);
      } catch (IllegalArgumentException e) {
        // OkHttp's message quotes the value (Headers.Builder, unless the name is Authorization): keep neither.
        refused[0] = name;
      }
    });
    if (refused[0] != null) {
      throw new IOException("provider '" + authenticator.provider() + "': the value for the " + printable(refused[0])
          + " header has a character that HTTP does not allow (only visible ASCII, space and tab); check the "
          + "configured credential and headers for a pasted line break or invisible character");
    }
    copy.tag(CredentialOrigin.class, new CredentialOrigin(request.url(), Set.copyOf(authorization.headerNames())));
    return copy.build();
  }

  /** The header name as it may be shown: names are not secret, but one with a control character is not echoed. */
  private static String printable(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return "(unprintable name)";
      }
    }
    return name;
  }

  /** Where the credential headers were set, and which they are. */
  private record CredentialOrigin(HttpUrl url, Set<String> headers) {
    boolean sameOrigin(HttpUrl other) {
      return url.scheme().equals(other.scheme()) && url.host().equals(other.host()) && url.port() == other.port();
    }
  }

  @Override
  public String toString() {
    return "LlmAuthInterceptor[" + (authenticator != null ? authenticator : router) + "]";
  }
}
