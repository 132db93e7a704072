package dev.llmauth.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a caller got back from an {@link AdapterDriver}: the response, its body as a live stream (never read
 * ahead by the driver), and the headers of the caller's own request object as they are after the call, so the
 * suite can check that the adapter did not change them.
 */
public final class TestResponse implements AutoCloseable {
  private final int status;
  private final Map<String, List<String>> headers;
  private final InputStream body;
  private final Map<String, List<String>> callerRequestHeaders;

  /**
   * Creates the response.
   *
   * @param status the status code
   * @param headers the response headers (any case)
   * @param body the response body as the client delivers it; closing it releases the response
   * @param callerRequestHeaders the headers of the request object the driver built from the {@link TestRequest},
   *     read back after the call
   */
  public TestResponse(int status, Map<String, List<String>> headers, InputStream body,
      Map<String, List<String>> callerRequestHeaders) {
    this.status = status;
    this.headers = lowerCase(headers);
    this.body = Objects.requireNonNull(body, "body");
    this.callerRequestHeaders = lowerCase(callerRequestHeaders);
  }

  private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    headers.forEach((k, v) -> m.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new java.util.ArrayList<>())
        .addAll(v));
    return java.util.Collections.unmodifiableMap(m);
  }

  /** @return the status code */
  public int status() {
    return status;
  }

  /**
   * Returns the first value of a response header.
   *
   * @param name any case
   * @return the value or {@code null}
   */
  public @Nullable String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** @return the body stream */
  public InputStream body() {
    return body;
  }

  /**
   * Reads the rest of the body and closes it.
   *
   * @return the body text
   * @throws IOException on a read failure
   */
  public String bodyText() throws IOException {
    try (InputStream in = body) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** @return the caller's request headers after the call, names in lower case */
  public Map<String, List<String>> callerRequestHeaders() {
    return callerRequestHeaders;
  }

  @Override
  public void close() throws IOException {
    body.close();
  }

  @Override
  public String toString() {
    return "TestResponse[" + status + "]";
  }
}
