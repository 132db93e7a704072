package dev.llmauth.http.okhttp;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * An OkHttp application interceptor that authenticates every request with a {@link RequestAuthenticator}.
 *
 * {@snippet :
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .addInterceptor(LlmAuthInterceptor.of(auth.authenticator("openai")))
 *     .build();
 * }
 *
 * <p>Add it with {@code addInterceptor}, not {@code addNetworkInterceptor}: it may send a request twice. It
 * proceeds with a copy of the request carrying the authenticator's header edits; the caller's {@link Request} is
 * never changed. When the server answers 401, the rejected token is invalidated and, when that can help (the
 * credential may produce a different token) and the body is not {@linkplain RequestBody#isOneShot() one-shot},
 * the 401 is closed and the request is authorized again and sent once more; a second 401 is returned to the
 * caller. An {@link okhttp3.Authenticator} set on the client sees only the response this interceptor returns.
 *
 * <p>While a token is fetched, the call waits; {@link Call#cancel()} and the call timeout end the wait. When no
 * token can be obtained the call fails with an {@link IOException} whose cause is the {@link AuthException}.
 * Response bodies, including streams of server-sent events, are returned untouched.
 */
public final class LlmAuthInterceptor implements Interceptor {
  /** How often a waiting call checks whether it was cancelled. */
  private static final long CANCEL_CHECK_MILLIS = 25;

  private final RequestAuthenticator authenticator;

  private LlmAuthInterceptor(RequestAuthenticator authenticator) {
    this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
  }

  /**
   * Creates the interceptor.
   *
   * @param authenticator the provider's authenticator, from {@code LlmAuth.authenticator(name)}
   * @return the interceptor, for {@code OkHttpClient.Builder.addInterceptor}
   */
  public static LlmAuthInterceptor of(RequestAuthenticator authenticator) {
    return new LlmAuthInterceptor(authenticator);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    Authorization authorization = authorize(chain, request);
    Response response = chain.proceed(apply(request, authorization));
    if (response.code() != 401 || !authenticator.invalidate(authorization) || !replayable(request.body())) {
      return response;
    }
    response.close();
    return chain.proceed(apply(request, authorize(chain, request)));
  }

  private static boolean replayable(@Nullable RequestBody body) {
    return body == null || !body.isOneShot() && !body.isDuplex();
  }

  private Authorization authorize(Chain chain, Request request) throws IOException {
    CompletableFuture<Authorization> future = authenticator.authorizeAsync(
        OutgoingRequest.of(request.method(), request.url().uri(), request.headers().toMultimap()));
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

  /** A copy of {@code request} with the header edits applied. */
  static Request apply(Request request, Authorization authorization) {
    Request.Builder copy = request.newBuilder();
    for (String name : authorization.headersToRemove()) {
      copy.removeHeader(name);
    }
    authorization.forEachHeader(copy::header);
    return copy.build();
  }

  @Override
  public String toString() {
    return "LlmAuthInterceptor[" + authenticator + "]";
  }
}
