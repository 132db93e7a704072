package dev.llmauth.entra;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.BinaryData;
import dev.llmauth.api.spi.RetryAfter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The DefaultAzureCredential chain's HTTP, as the {@code managedIdentity} path's own client does it: one deadline for
 * each whole exchange (connect, status and headers, body, and the pipeline's own retries, as this policy runs once per
 * call), a cap on the answer's size, the exchange abandoned when the token cache gives up ({@link #cancel()}), and a
 * managed-identity 200 put by {@link TokenAnswer} in the form MSAL4J reads (azure-identity's ManagedIdentityCredential
 * hands the answer to MSAL4J unchanged, and MSAL4J requires {@code expires_on}). It remembers what went wrong in the
 * current fetch, so that the failure can say it.
 *
 * <p>azure-identity calls its pipeline synchronously (its {@code HttpPipelineAdapter} uses {@code sendSync}), and a
 * synchronous pipeline runs the rest of its policies and the transport on the calling thread, where no timeout can
 * reach them. So the rest of the exchange runs on a thread of its own, which is interrupted when the deadline passes
 * or the fetch is abandoned: both transports (netty through reactor's blocking wait, the JDK client through its
 * interruptible send and body stream) then close the connection.
 */
final class IdentityAnswerPolicy implements HttpPipelinePolicy {
  /** The request headers that mark a managed-identity call (App Service, IMDS / Cloud Shell / Arc, Service Fabric). */
  private static final List<HttpHeaderName> IDENTITY_HEADERS = List.of(HttpHeaderName.fromString("X-IDENTITY-HEADER"),
      HttpHeaderName.fromString("Metadata"), HttpHeaderName.fromString("secret"));

  private final Duration deadline;
  private final Executor executor;
  private volatile @Nullable Future<?> inFlight;
  private volatile Sinks.One<Boolean> abandon = Sinks.one();
  private final AtomicBoolean abandoned = new AtomicBoolean();
  volatile @Nullable IOException lastError;
  volatile @Nullable String problem;
  volatile boolean sawTokenAnswer;
  /** The status of the last managed-identity answer of the current fetch, or 0. */
  volatile int lastStatus;
  volatile @Nullable Duration lastRetryAfter;

  IdentityAnswerPolicy(Executor executor, Duration deadline) {
    this.executor = executor;
    this.deadline = deadline;
  }

  /** Forgets the previous fetch. */
  void startFetch() {
    abandoned.set(false);
    abandon = Sinks.one();
    lastError = null;
    problem = null;
    sawTokenAnswer = false;
    lastStatus = 0;
    lastRetryAfter = null;
  }

  /** Abandons the exchanges of the current fetch: their connections are closed and their waiters fail. */
  void cancel() {
    abandoned.set(true);
    abandon.tryEmitValue(Boolean.TRUE);
    Future<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
  }

  Duration deadline() {
    return deadline;
  }

  @Override
  public HttpPipelinePosition getPipelinePosition() {
    return HttpPipelinePosition.PER_CALL;
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    boolean identity = isIdentityCall(context.getHttpRequest());
    FutureTask<HttpResponse> exchange = new FutureTask<>(() -> {
      HttpResponse response = next.processSync();
      byte[] bytes;
      try (InputStream in = response.getBodyAsBinaryData().toStream()) {
        bytes = in.readNBytes(AzureSources.IdentityHttpClient.MAX_BODY_BYTES + 1);
      } finally {
        response.close();
      }
      if (bytes.length > AzureSources.IdentityHttpClient.MAX_BODY_BYTES) {
        throw new AzureSources.IdentityHttpClient.TooLarge();
      }
      return answer(response, bytes, identity);
    });
    inFlight = exchange;
    try {
      if (abandoned.get()) {
        exchange.cancel(true);
      } else {
        executor.execute(exchange);
      }
      return exchange.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw failed(new AzureSources.IdentityHttpClient.DeadlinePassed(deadline));
    } catch (CancellationException e) {
      throw failed(new IOException("the exchange was abandoned: the token fetch was given up"));
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw failed(new IOException("interrupted while waiting for the identity endpoint"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof UncheckedIOException u) {
        cause = u.getCause();
      }
      if (cause instanceof IOException io) {
        throw failed(io);
      }
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } finally {
      inFlight = null;
    }
  }

  private UncheckedIOException failed(IOException e) {
    lastError = e;
    return new UncheckedIOException(e.getMessage(), e);
  }

  private static boolean isIdentityCall(HttpRequest request) {
    return IDENTITY_HEADERS.stream().anyMatch(h -> request.getHeaders().getValue(h) != null);
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    boolean identity = isIdentityCall(context.getHttpRequest());
    Mono<Boolean> limit = Mono.firstWithSignal(Mono.delay(deadline).map(tick -> Boolean.FALSE), abandon.asMono());
    return next.process()
        .flatMap(response -> collect(response).map(bytes -> answer(response, bytes, identity)))
        .timeout(limit, Mono.defer(() -> Mono.error(abandoned.get()
            ? new IOException("the exchange was abandoned: the token fetch was given up")
            : new AzureSources.IdentityHttpClient.DeadlinePassed(deadline))))
        .doOnError(IOException.class, e -> lastError = e);
  }

  private static Mono<byte[]> collect(HttpResponse response) {
    return response.getBody()
        .collect(ByteArrayOutputStream::new, (out, buffer) -> {
          if (out.size() + buffer.remaining() > AzureSources.IdentityHttpClient.MAX_BODY_BYTES) {
            throw new UncheckedIOException(new AzureSources.IdentityHttpClient.TooLarge());
          }
          byte[] chunk = new byte[buffer.remaining()];
          buffer.get(chunk);
          out.write(chunk, 0, chunk.length);
        })
        .map(ByteArrayOutputStream::toByteArray)
        .onErrorMap(UncheckedIOException.class, UncheckedIOException::getCause);
  }

  private HttpResponse answer(HttpResponse response, byte[] bytes, boolean identity) {
    if (identity) {
      lastStatus = response.getStatusCode();
      lastRetryAfter = RetryAfter.parse(response.getHeaders().getValue(HttpHeaderName.RETRY_AFTER), Instant.now());
    }
    if (!identity || response.getStatusCode() != 200) {
      return new Buffered(response, bytes);
    }
    sawTokenAnswer = true;
    TokenAnswer token = TokenAnswer.read(new String(bytes, StandardCharsets.UTF_8), Instant.now());
    problem = token.problem();
    return new Buffered(response, token.body().getBytes(StandardCharsets.UTF_8));
  }

  /** An answer read in full. */
  private static final class Buffered extends HttpResponse {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    Buffered(HttpResponse original, byte[] body) {
      super(original.getRequest());
      this.status = original.getStatusCode();
      this.headers = original.getHeaders();
      this.body = body;
      original.close();
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    @Override
    @Deprecated
    public @Nullable String getHeaderValue(String name) {
      return headers.getValue(HttpHeaderName.fromString(name));
    }

    @Override
    public @Nullable String getHeaderValue(HttpHeaderName name) {
      return headers.getValue(name);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public Flux<ByteBuffer> getBody() {
      return Flux.defer(() -> Flux.just(ByteBuffer.wrap(body).asReadOnlyBuffer()));
    }

    @Override
    public Mono<byte[]> getBodyAsByteArray() {
      return Mono.fromSupplier(body::clone);
    }

    @Override
    public Mono<String> getBodyAsString() {
      return Mono.fromSupplier(() -> new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public Mono<String> getBodyAsString(Charset charset) {
      return Mono.fromSupplier(() -> new String(body, charset));
    }

    @Override
    public BinaryData getBodyAsBinaryData() {
      return BinaryData.fromBytes(body);
    }

    @Override
    public HttpResponse buffer() {
      return this;
    }
  }
}
