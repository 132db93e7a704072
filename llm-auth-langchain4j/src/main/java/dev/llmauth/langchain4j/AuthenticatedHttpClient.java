package dev.llmauth.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A LangChain4j HTTP client with llm-auth's headers on every request; see {@link LlmAuthHttpClientBuilder}. */
final class AuthenticatedHttpClient implements HttpClient {
  private final HttpClient delegate;
  private final RequestAuthenticator authenticator;

  AuthenticatedHttpClient(HttpClient delegate, RequestAuthenticator authenticator) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    Authorization authorization = authenticator.authorize(view(request));
    try {
      return delegate.execute(apply(request, authorization));
    } catch (HttpException e) {
      if (e.statusCode() != 401 || !authenticator.invalidate(authorization)) {
        throw e;
      }
    }
    return delegate.execute(apply(request, authenticator.authorize(view(request))));
  }

  @Override
  public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    stream(request, parser, listener, true);
  }

  private void stream(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener,
      boolean first) {
    authenticator.authorizeAsync(view(request)).whenComplete((authorization, failure) -> {
      if (failure != null) {
        listener.onError(RequestAuthenticator.asAuthException(failure));
      } else {
        delegate.execute(apply(request, authorization), parser,
            first ? new ReplayOn401(request, parser, listener, authorization) : listener);
      }
    });
  }

  /** Passes everything to the caller's listener, except a first 401 that a new token may cure. */
  private final class ReplayOn401 implements ServerSentEventListener {
    private final HttpRequest request;
    private final ServerSentEventParser parser;
    private final ServerSentEventListener listener;
    private final Authorization sent;
    private volatile boolean opened;

    ReplayOn401(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener,
        Authorization sent) {
      this.request = request;
      this.parser = parser;
      this.listener = listener;
      this.sent = sent;
    }

    @Override
    public void onOpen(SuccessfulHttpResponse response) {
      opened = true;
      listener.onOpen(response);
    }

    @Override
    public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
      listener.onEvent(event, context);
    }

    @Override
    public void onEvent(ServerSentEvent event) {
      listener.onEvent(event);
    }

    @Override
    public void onError(Throwable error) {
      if (!opened && error instanceof HttpException http && http.statusCode() == 401
          && authenticator.invalidate(sent)) {
        stream(request, parser, listener, false);
      } else {
        listener.onError(error);
      }
    }

    @Override
    public void onClose() {
      listener.onClose();
    }
  }

  /** A view that reads the request's headers where they are, names matched case-insensitively. */
  private static OutgoingRequest view(HttpRequest request) {
    URI uri = URI.create(request.url());
    Map<String, List<String>> headers = request.headers();
    return new OutgoingRequest() {
      @Override
      public String method() {
        return request.method().name();
      }

      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public @Nullable String header(String name) {
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
          List<String> values = h.getValue();
          if (h.getKey().equalsIgnoreCase(name) && values != null && !values.isEmpty()) {
            return values.get(0);
          }
        }
        return null;
      }
    };
  }

  /** A copy of the request with llm-auth's removals, then its headers; the caller's request is not changed. */
  static HttpRequest apply(HttpRequest request, Authorization authorization) {
    List<String> removals = authorization.headersToRemove();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.headers().forEach((name, values) -> {
      if (!removals.contains(name.toLowerCase(Locale.ROOT))) {
        headers.put(name, values);
      }
    });
    authorization.forEachHeader((name, value) -> headers.put(name, List.of(value)));
    HttpRequest.Builder copy = HttpRequest.builder().method(request.method()).url(request.url()).headers(headers)
        .body(request.body());
    if (!request.formDataFields().isEmpty()) {
      copy.formDataFields(request.formDataFields());
    }
    if (!request.formDataFiles().isEmpty()) {
      copy.formDataFiles(request.formDataFiles());
    }
    return copy.build();
  }

  @Override
  public String toString() {
    return "AuthenticatedHttpClient[" + authenticator + "]";
  }
}
