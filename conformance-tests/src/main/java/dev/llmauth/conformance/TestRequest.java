package dev.llmauth.conformance;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request the conformance suite asks an {@link AdapterDriver} to send: the driver turns it into its client's
 * own request object, with exactly these headers and body.
 *
 * @param method the HTTP method
 * @param uri the absolute URI
 * @param headers the caller's headers, in order; names as given
 * @param body the body, or {@code null} for none
 * @param oneShotBody whether the body must be sent as a stream that can be read once (for the rule that such a
 *     body is never replayed)
 */
public record TestRequest(String method, URI uri, Map<String, List<String>> headers, byte @Nullable [] body,
    boolean oneShotBody) {
  /** Copies the headers and the body. */
  public TestRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    headers = java.util.Collections.unmodifiableMap(copy);
    body = body == null ? null : body.clone();
  }

  /**
   * A JSON POST.
   *
   * @param uri the URI
   * @param json the body
   * @return the request, without headers
   */
  public static TestRequest postJson(URI uri, String json) {
    return new TestRequest("POST", uri, Map.of("Content-Type", List.of("application/json")),
        json.getBytes(StandardCharsets.UTF_8), false);
  }

  /**
   * Returns a copy with one more header value.
   *
   * @param name the name
   * @param value the value
   * @return the new request
   */
  public TestRequest withHeader(String name, String value) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    List<String> values = new ArrayList<>(copy.getOrDefault(name, List.of()));
    values.add(value);
    copy.put(name, values);
    return new TestRequest(method, uri, copy, body, oneShotBody);
  }

  /**
   * Returns a copy whose body can be read only once.
   *
   * @return the new request
   */
  public TestRequest withOneShotBody() {
    return new TestRequest(method, uri, headers, body, true);
  }

  /** @return the body as UTF-8 text, empty when there is none */
  public String bodyText() {
    return body == null ? "" : new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestRequest r && r.method.equals(method) && r.uri.equals(uri) && r.headers.equals(headers)
        && java.util.Arrays.equals(r.body, body) && r.oneShotBody == oneShotBody;
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, uri, headers, java.util.Arrays.hashCode(body), oneShotBody);
  }

  /** Shows method and URI only: headers may carry secrets. */
  @Override
  public String toString() {
    return "TestRequest[" + method + " " + uri + "]";
  }
}
