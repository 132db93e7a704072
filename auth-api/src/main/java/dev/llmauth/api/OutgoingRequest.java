package dev.llmauth.api;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of the request about to be sent, as an HTTP adapter sees it. The authenticator reads the
 * URI (to refuse sending a credential over plain HTTP to a remote host) and existing headers (to merge a
 * provider-data header); it never changes the request.
 */
public interface OutgoingRequest {
  /** @return the HTTP method, such as {@code POST} */
  String method();

  /** @return the absolute request URI */
  URI uri();

  /**
   * Returns the first value of a header.
   *
   * @param name the header name, matched case-insensitively
   * @return the value, or {@code null} when the request has no such header
   */
  @Nullable String header(String name);

  /**
   * A view over a header map.
   *
   * @param method the HTTP method
   * @param uri the request URI
   * @param headers the headers; names are matched case-insensitively
   * @return the view
   */
  static OutgoingRequest of(String method, URI uri, Map<String, List<String>> headers) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(uri, "uri");
    Map<String, List<String>> copy = Map.copyOf(headers);
    return new OutgoingRequest() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public @Nullable String header(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, List<String>> e : copy.entrySet()) {
          if (e.getKey().toLowerCase(Locale.ROOT).equals(wanted) && !e.getValue().isEmpty()) {
            return e.getValue().get(0);
          }
        }
        return null;
      }

      @Override
      public String toString() {
        return method + " " + uri;
      }
    };
  }
}
