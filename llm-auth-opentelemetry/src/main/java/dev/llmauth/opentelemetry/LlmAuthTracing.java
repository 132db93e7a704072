package dev.llmauth.opentelemetry;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.TokenListener;
import dev.llmauth.api.spi.FetchReason;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Records one OpenTelemetry span per token fetch, from llm-auth's {@link TokenEvent}s. The span covers the fetch
 * exactly (it starts at the fetch's start and ends at its outcome) and carries the same attributes as the
 * Micrometer meters of {@code llm-auth-micrometer}: provider, method, reason, outcome and, on failure, the error
 * code. Spans are made on the event thread, after the fetch, so they are root spans of their own trace; nothing
 * is done on the request path.
 *
 * <pre>{@code
 * LlmAuthTracing tracing = LlmAuthTracing.install(auth, openTelemetry);
 * }</pre>
 */
public final class LlmAuthTracing implements AutoCloseable {
  /** The instrumentation scope name. */
  public static final String SCOPE = "dev.llmauth";
  /** The span name. */
  public static final String SPAN_NAME = "llmauth token fetch";
  /** The provider's name ({@code unknown} for a key created outside {@link LlmAuth}). */
  public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("llmauth.provider");
  /** The method id, such as {@code entra}. */
  public static final AttributeKey<String> METHOD = AttributeKey.stringKey("llmauth.method");
  /** The token source's description. */
  public static final AttributeKey<String> SOURCE = AttributeKey.stringKey("llmauth.source");
  /** Why the token was fetched: {@code initial}, {@code refresh_ahead}, {@code expired}, {@code invalidated}. */
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("llmauth.reason");
  /** {@code success} or {@code failure}. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("llmauth.outcome");
  /** On failure: the error code, such as {@code token_unavailable} (the semantic convention's error type). */
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  /** On failure: whether retrying cannot help. */
  public static final AttributeKey<Boolean> PERMANENT = AttributeKey.booleanKey("llmauth.error.permanent");
  /** On success: the seconds until the new token expires. */
  public static final AttributeKey<Long> EXPIRES_IN = AttributeKey.longKey("llmauth.token.expires_in");

  private final Tracer tracer;
  private final TokenListener listener = this::record;
  private final Predicate<TokenListener> remove;

  private LlmAuthTracing(OpenTelemetry otel, java.util.function.Consumer<TokenListener> add,
      Predicate<TokenListener> remove) {
    this.tracer = Objects.requireNonNull(otel, "otel").getTracer(SCOPE);
    this.remove = remove;
    add.accept(listener);
  }

  /**
   * Traces the token fetches of one {@link LlmAuth}'s providers.
   *
   * @param auth the instance
   * @param otel where spans go
   * @return the installed tracing; {@link #close()} stops it
   */
  public static LlmAuthTracing install(LlmAuth auth, OpenTelemetry otel) {
    Objects.requireNonNull(auth, "auth");
    return new LlmAuthTracing(otel, auth::addListener, auth::removeListener);
  }

  /**
   * Traces the token fetches of every key of one {@link TokenCache}.
   *
   * @param cache the cache
   * @param otel where spans go
   * @return the installed tracing; {@link #close()} stops it
   */
  public static LlmAuthTracing install(TokenCache cache, OpenTelemetry otel) {
    Objects.requireNonNull(cache, "cache");
    return new LlmAuthTracing(otel, cache::addListener, cache::removeListener);
  }

  /** Stops making spans. */
  @Override
  public void close() {
    remove.test(listener);
  }

  private void record(TokenEvent event) {
    if (event instanceof TokenEvent.FetchSucceeded ok) {
      Span span = start(ok, ok.reason(), ok.at().minus(ok.duration()), "success")
          .setAttribute(EXPIRES_IN, ok.timeToExpiry().toSeconds()).startSpan();
      span.end(ok.at());
    } else if (event instanceof TokenEvent.FetchFailed failed) {
      Span span = start(failed, failed.reason(), failed.at().minus(failed.duration()), "failure")
          .setAttribute(ERROR_TYPE, failed.errorCode()).setAttribute(PERMANENT, failed.permanent()).startSpan();
      span.setStatus(StatusCode.ERROR, failed.message());
      span.end(failed.at());
    }
  }

  private SpanBuilder start(TokenEvent e, FetchReason reason, Instant start, String outcome) {
    return tracer.spanBuilder(SPAN_NAME).setNoParent().setSpanKind(SpanKind.CLIENT).setStartTimestamp(start)
        .setAttribute(PROVIDER, tag(e.provider())).setAttribute(METHOD, tag(e.method()))
        .setAttribute(SOURCE, e.source()).setAttribute(REASON, reason.name().toLowerCase(Locale.ROOT))
        .setAttribute(OUTCOME, outcome);
  }

  private static String tag(@Nullable String value) {
    return value == null ? "unknown" : value;
  }
}
