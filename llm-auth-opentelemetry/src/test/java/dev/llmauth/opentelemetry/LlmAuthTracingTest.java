package dev.llmauth.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.conformance.ScriptedMethod;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("LlmAuthTracing")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class LlmAuthTracingTest {
  private static final OutgoingRequest REQUEST = OutgoingRequest.of("POST",
      URI.create("http://127.0.0.1:9/v1/chat/completions"), Map.of());

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
      .build();
  private final ScriptedMethod fixture = new ScriptedMethod();
  private final LlmAuth auth = LlmAuth.builder()
      .config(LlmAuthConfig.of(ProviderConfig.builder("azure").baseUrl("http://127.0.0.1:9/v1").build()))
      .credentialMethods(List.of(fixture.credentialProvider())).environment(Map.of()).build();
  private final LlmAuthTracing tracing = LlmAuthTracing.install(auth, otel);
  /** Registered after the tracing: once it has an event, so has the tracing. */
  private final LinkedBlockingQueue<TokenEvent> seen = new LinkedBlockingQueue<>();

  @AfterEach
  void close() {
    tracing.close();
    auth.close();
    otel.close();
    fixture.close();
  }

  private RequestAuthenticator authenticator() {
    auth.addListener(seen::add);
    return auth.authenticator("azure");
  }

  private <T extends TokenEvent> T await(Class<T> type) throws InterruptedException {
    while (true) {
      TokenEvent e = seen.poll(30, TimeUnit.SECONDS);
      assertThat(e).as("an event of type " + type.getSimpleName()).isNotNull();
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
  }

  @Test
  @DisplayName("one span per fetch, covering it, with provider, method, reason, outcome and expiry")
  void successSpan() throws Exception {
    RequestAuthenticator a = authenticator();
    for (int i = 0; i < 100; i++) {
      a.authorize(REQUEST);
    }
    TokenEvent.FetchSucceeded ok = await(TokenEvent.FetchSucceeded.class);
    a.invalidate(a.authorize(REQUEST));
    await(TokenEvent.TokenRejected.class); // every event before it has been traced

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(1);
    SpanData span = spans.get(0);
    assertThat(span.getName()).isEqualTo(LlmAuthTracing.SPAN_NAME);
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getAttributes().get(LlmAuthTracing.PROVIDER)).isEqualTo("azure");
    assertThat(span.getAttributes().get(LlmAuthTracing.METHOD)).isEqualTo("scripted");
    assertThat(span.getAttributes().get(LlmAuthTracing.SOURCE)).isEqualTo("scripted issuer");
    assertThat(span.getAttributes().get(LlmAuthTracing.REASON)).isEqualTo("initial");
    assertThat(span.getAttributes().get(LlmAuthTracing.OUTCOME)).isEqualTo("success");
    assertThat(span.getAttributes().get(LlmAuthTracing.EXPIRES_IN)).isEqualTo(ok.timeToExpiry().toSeconds());
    assertThat(span.getEndEpochNanos() - span.getStartEpochNanos()).isEqualTo(ok.duration().toNanos());
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  @DisplayName("a failed fetch: status error with the message, error.type the code")
  void failureSpan() throws Exception {
    RequestAuthenticator a = authenticator();
    fixture.failIssuer();
    assertThatThrownBy(() -> a.authorize(REQUEST)).isInstanceOf(AuthException.class);
    TokenEvent.FetchFailed failed = await(TokenEvent.FetchFailed.class);
    assertThatThrownBy(() -> a.authorize(REQUEST)).isInstanceOf(AuthException.class);
    await(TokenEvent.FetchFailed.class); // the second failure: the first has been traced
    assertThat(exporter.getFinishedSpanItems()).hasSizeGreaterThanOrEqualTo(1);
    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertThat(span.getAttributes().get(LlmAuthTracing.OUTCOME)).isEqualTo("failure");
    assertThat(span.getAttributes().get(LlmAuthTracing.ERROR_TYPE)).isEqualTo(AuthException.TOKEN_UNAVAILABLE);
    assertThat(span.getAttributes().get(LlmAuthTracing.PERMANENT)).isFalse();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getStatus().getDescription()).isEqualTo(failed.message());
  }

  @Test
  @DisplayName("after close, no more spans")
  void closed() throws Exception {
    RequestAuthenticator a = authenticator();
    tracing.close();
    a.invalidate(a.authorize(REQUEST));
    await(TokenEvent.TokenRejected.class);
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }
}
