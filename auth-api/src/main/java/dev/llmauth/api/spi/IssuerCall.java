package dev.llmauth.api.spi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One bounded HTTP exchange with an issuer (an identity endpoint, an OAuth server), over {@code java.net.http}, as
 * every method needs it and none should write again:
 *
 * <ul>
 *   <li>one deadline, {@link IssuerTimeouts#exchange()}, for the whole exchange: connecting, the status and
 *       headers, and the body to its last byte. An issuer that sends its answer a byte at a time cannot hold the
 *       caller past it: at the deadline the exchange fails with an {@link HttpTimeoutException} and its connection is
 *       closed. Connecting alone is bounded by {@link IssuerTimeouts#connect()} ({@link
 *       java.net.http.HttpConnectTimeoutException});
 *   <li>a cap on the body: at most {@link #maxBodyBytes()} bytes are kept; when the issuer sends more, the
 *       connection is closed and the answer says {@link Answer#truncated()};
 *   <li>cancellation: cancelling the future of {@link #sendAsync}, or interrupting the thread waiting in {@link
 *       #send} or {@link #await}, closes the connection, so that nothing stays behind waiting for a slow issuer once
 *       the caller (for example the {@link dev.llmauth.api.TokenCache}, through the future a {@link TokenSource}
 *       returned) has given up;
 *   <li>no redirects followed: an issuer's answer is the one it gave;
 *   <li>{@link Answer#retryAfter()}, read by {@link RetryAfter}.
 * </ul>
 *
 * <p>What the answer means (which statuses are permanent, what the body must hold) is the method's to decide.
 * Create one {@code IssuerCall} per issuer configuration and keep it: it holds an {@link HttpClient}.
 *
 * <pre>{@code
 * IssuerCall issuer = IssuerCall.create(new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20)));
 * IssuerCall.Answer answer = issuer.send(HttpRequest.newBuilder(URI.create(tokenUrl))
 *     .POST(HttpRequest.BodyPublishers.ofString(form)).build());
 * if (answer.status() == 429) {
 *   throw new TokenException(TokenException.TOKEN_UNAVAILABLE, "the issuer answered HTTP 429", false,
 *       answer.retryAfter(), null);
 * }
 * }</pre>
 */
public final class IssuerCall {
  /** The body cap of {@link #create(IssuerTimeouts)}: 1 MiB, far more than any token answer. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  private final HttpClient client;
  private final IssuerTimeouts timeouts;
  private final int maxBodyBytes;

  private IssuerCall(IssuerTimeouts timeouts, int maxBodyBytes) {
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1, got " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeouts.connect())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Creates a client with these timeouts and a body cap of {@value #DEFAULT_MAX_BODY_BYTES} bytes.
   *
   * @param timeouts the connect timeout and the deadline of each exchange
   * @return the client
   */
  public static IssuerCall create(IssuerTimeouts timeouts) {
    return new IssuerCall(timeouts, DEFAULT_MAX_BODY_BYTES);
  }

  /**
   * Creates a client with these timeouts and body cap.
   *
   * @param timeouts the connect timeout and the deadline of each exchange
   * @param maxBodyBytes the most bytes of a body that are kept, at least 1
   * @return the client
   */
  public static IssuerCall create(IssuerTimeouts timeouts, int maxBodyBytes) {
    return new IssuerCall(timeouts, maxBodyBytes);
  }

  /** @return the connect timeout and the deadline of each exchange */
  public IssuerTimeouts timeouts() {
    return timeouts;
  }

  /** @return the most bytes of a body that are kept */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Starts an exchange. The future completes with the answer, or fails with the {@link IOException} of the
   * exchange: an {@link HttpTimeoutException} when the deadline passed, a {@link
   * java.net.http.HttpConnectTimeoutException} when connecting took too long, or what the connection met. Cancelling
   * it, or completing it in any other way, closes the exchange's connection.
   *
   * @param request the request; its own {@link HttpRequest#timeout()}, if any, applies too
   * @return the future of the answer
   */
  public CompletableFuture<Answer> sendAsync(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    CompletableFuture<Answer> result = new CompletableFuture<>();
    CompletableFuture<HttpResponse<CappedBody>> exchange;
    try {
      exchange = client.sendAsync(request, info -> new CappedBody(maxBodyBytes));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    Duration deadline = timeouts.exchange();
    ScheduledFuture<?> timer = Deadlines.TIMER.schedule(() -> result.completeExceptionally(
        new HttpTimeoutException("no complete answer within " + describe(deadline))),
        saturatedNanos(deadline), TimeUnit.NANOSECONDS);
    result.whenComplete((answer, failure) -> {
      timer.cancel(false);
      if (failure != null) {
        exchange.cancel(true);
      }
    });
    exchange.whenComplete((response, failure) -> {
      if (failure != null) {
        Throwable cause = Futures.unwrap(failure);
        result.completeExceptionally(cause instanceof IOException || cause instanceof CancellationException
            ? cause : new IOException("the exchange failed: " + cause.getClass().getSimpleName(), cause));
      } else {
        CappedBody body = response.body();
        result.complete(new Answer(response.statusCode(), response.headers(), body.bytes(), body.truncated,
            Instant.now()));
      }
    });
    return result;
  }

  /**
   * Runs an exchange and waits for its answer; see {@link #sendAsync}. An interrupt ends the exchange.
   *
   * @param request the request
   * @return the answer
   * @throws IOException when the exchange failed or passed its deadline ({@link HttpTimeoutException}), or the
   *     thread was interrupted ({@link InterruptedIOException}, with the interrupt flag set again)
   */
  public Answer send(HttpRequest request) throws IOException {
    return await(sendAsync(request));
  }

  /**
   * Waits for an exchange started with {@link #sendAsync}; for a method that keeps the future, so that another
   * thread can cancel it. An interrupt cancels the exchange.
   *
   * @param exchange the exchange's future
   * @return the answer
   * @throws IOException the exchange's failure; {@link InterruptedIOException} when the thread was interrupted (the
   *     interrupt flag is set again), or a plain {@code IOException} saying so when the future was cancelled
   */
  public static Answer await(CompletableFuture<Answer> exchange) throws IOException {
    try {
      return exchange.get();
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted while waiting for the issuer");
      interrupted.initCause(e);
      throw interrupted;
    } catch (CancellationException e) {
      throw new IOException("the exchange was abandoned: its caller gave up", e);
    } catch (ExecutionException e) {
      Throwable cause = Futures.unwrap(e);
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof CancellationException) {
        throw new IOException("the exchange was abandoned: its caller gave up", cause);
      }
      throw new IOException("the exchange failed: " + cause.getClass().getSimpleName(), cause);
    }
  }

  private static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "IssuerCall[connect=" + timeouts.connect() + ", exchange=" + timeouts.exchange() + ", maxBodyBytes="
        + maxBodyBytes + "]";
  }

  /**
   * What an issuer answered: the status, the headers and the body, at most {@link IssuerCall#maxBodyBytes()}
   * bytes of it. Its {@code toString()} shows the status only: a body may carry tokens.
   */
  public static final class Answer {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;
    private final boolean truncated;
    private final Instant receivedAt;

    private Answer(int status, HttpHeaders headers, byte[] body, boolean truncated, Instant receivedAt) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.truncated = truncated;
      this.receivedAt = receivedAt;
    }

    /** @return the HTTP status */
    public int status() {
      return status;
    }

    /** @return the response headers */
    public HttpHeaders headers() {
      return headers;
    }

    /** @return a copy of the body as received, cut at the cap when {@link #truncated()} */
    public byte[] body() {
      return body.clone();
    }

    /** @return the body as UTF-8 text */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** @return whether the issuer sent more than the cap, so that {@link #body()} is only its beginning */
    public boolean truncated() {
      return truncated;
    }

    /** @return when the answer was complete, the time a lifetime such as {@code expires_in} counts from */
    public Instant receivedAt() {
      return receivedAt;
    }

    /**
     * The answer's {@code Retry-After} hint, read by {@link RetryAfter#parse} against {@link #receivedAt()}.
     *
     * @return the hint, or {@code null}
     */
    public @Nullable Duration retryAfter() {
      return RetryAfter.parse(headers.firstValue("Retry-After").orElse(null), receivedAt);
    }

    @Override
    public String toString() {
      return "IssuerCall.Answer[HTTP " + status + ", " + body.length + " bytes" + (truncated ? ", truncated" : "")
          + "]";
    }
  }

  /** The timer of every exchange's deadline: one daemon thread, started on the first exchange. */
  private static final class Deadlines {
    static final ScheduledThreadPoolExecutor TIMER = timer();

    private static ScheduledThreadPoolExecutor timer() {
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "llm-auth-issuer-deadline");
        t.setDaemon(true);
        return t;
      });
      timer.setRemoveOnCancelPolicy(true);
      return timer;
    }
  }

  /** Collects a body up to the cap, then hangs up. */
  private static final class CappedBody implements HttpResponse.BodySubscriber<CappedBody> {
    private final int cap;
    private final CompletableFuture<CappedBody> done = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private boolean truncated;
    private Flow.@Nullable Subscription subscription;

    CappedBody(int cap) {
      this.cap = cap;
    }

    @Override
    public CompletionStage<CappedBody> getBody() {
      return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (done.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        int take = Math.min(b.remaining(), cap - bytes.size());
        byte[] chunk = new byte[take];
        b.get(chunk);
        bytes.write(chunk, 0, take);
        if (b.hasRemaining()) {
          truncated = true;
        }
      }
      Flow.Subscription s = Objects.requireNonNull(subscription, "subscription");
      if (truncated) {
        s.cancel();
        done.complete(this);
      } else {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(this);
    }

    byte[] bytes() {
      return bytes.toByteArray();
    }
  }
}
