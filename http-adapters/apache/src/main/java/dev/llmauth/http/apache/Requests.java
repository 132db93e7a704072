package dev.llmauth.http.apache;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.ProtocolException;

/** What the classic and async handlers share: the request view and the header edits. */
final class Requests {
  /** The name both handlers are registered under in an exec chain. */
  static final String HANDLER_NAME = "llm-auth";

  private Requests() {}

  static OutgoingRequest view(HttpRequest request, HttpRoute route) throws ProtocolException {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Header h : request.getHeaders()) {
      headers.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
    }
    return OutgoingRequest.of(request.getMethod(), uri(request, route), headers);
  }

  private static URI uri(HttpRequest request, HttpRoute route) throws ProtocolException {
    try {
      URI uri = request.getUri();
      if (uri.isAbsolute()) {
        return uri;
      }
      return new URI(route.getTargetHost().toURI() + request.getRequestUri());
    } catch (URISyntaxException e) {
      throw new ProtocolException("invalid request URI: " + request.getRequestUri(), e);
    }
  }

  /** Applies the header edits to {@code copy}, which must be the adapter's own copy of the request. */
  static void apply(HttpRequest copy, Authorization authorization) {
    for (String name : authorization.headersToRemove()) {
      copy.removeHeaders(name);
    }
    authorization.forEachHeader(copy::setHeader);
  }

  static IOException ioException(Throwable failure) {
    AuthException e = RequestAuthenticator.asAuthException(failure);
    return new IOException(e.getMessage(), e);
  }
}
