package dev.llmauth.conformance.mock;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One request a mock server received.
 *
 * @param method the HTTP method
 * @param uri the request URI as received (path and query)
 * @param headers the headers, names in lower case
 * @param body the body bytes
 * @param receivedAt when it arrived
 * @param remoteAddress the caller's address
 * @param remotePort the caller's port: requests with the same address and port came over one connection
 */
public record RecordedRequest(
    String method, URI uri, Map<String, List<String>> headers, byte[] body, Instant receivedAt,
    String remoteAddress, int remotePort) {
  /** Copies the headers with lower-case names. */
  public RecordedRequest {
    Map<String, List<String>> lower = new TreeMap<>();
    headers.forEach((k, v) -> lower.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new java.util.ArrayList<>())
        .addAll(v));
    lower.replaceAll((k, v) -> List.copyOf(v));
    headers = java.util.Collections.unmodifiableMap(lower);
    body = body.clone();
  }

  /** @return the request path */
  public String path() {
    return uri.getRawPath();
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the name, any case
   * @return the value or {@code null}
   */
  public @Nullable String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Returns every value of a header.
   *
   * @param name the name, any case
   * @return the values, possibly empty
   */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** @return the body as UTF-8 text */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Returns a query parameter, URL-decoded.
   *
   * @param name the parameter
   * @return the first value or {@code null}
   */
  public @Nullable String queryParameter(String name) {
    return MockServer.formParameters(uri.getRawQuery()).getOrDefault(name, null);
  }

  /** Shows method and path only: headers may carry secrets. */
  @Override
  public String toString() {
    return "RecordedRequest[" + method + " " + uri.getRawPath() + "]";
  }
}
