package dev.llmauth.http.apache;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.jspecify.annotations.Nullable;

/** What the classic and async handlers share: the request view and the header edits. */
final class Requests {
  /** The name both handlers are registered under in an exec chain. */
  static final String HANDLER_NAME = "llm-auth";

  private Requests() {}

  /** A view that reads the request where it is; only the absolute URI is computed up front. */
  static OutgoingRequest view(HttpRequest request, HttpRoute route) throws ProtocolException {
    URI uri = uri(request, route);
    return new OutgoingRequest() {
      @Override
      public String method() {
        return request.getMethod();
      }

      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public @Nullable String header(String name) {
        Header h = request.getFirstHeader(name);
        return h == null ? null : h.getValue();
      }
    };
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

  /**
   * Applies the header edits to {@code copy}, which must be the adapter's own copy of the request. Apache
   * HttpClient does not check header values (it would send a replacement character instead), so a value with a
   * character an HTTP header cannot carry is refused here, as the other clients refuse it: with an exception that
   * names the header and never shows the value, which may be a token.
   *
   * @throws IOException when a value cannot be sent
   */
  static void apply(HttpRequest copy, Authorization authorization, String provider) throws IOException {
    for (String name : authorization.headersToRemove()) {
      copy.removeHeaders(name);
    }
    String[] refused = new String[1];
    authorization.forEachHeader((name, value) -> {
      if (refused[0] == null) {
        if (!sendable(value)) {
          refused[0] = name;
          return;
        }
        try {
          copy.setHeader(name, value);
        } catch (RuntimeException e) {
          refused[0] = name;
        }
      }
    });
    if (refused[0] != null) {
      throw new IOException("provider '" + provider + "': header " + refused[0] + " from method "
          + authorization.method() + " has a value that an HTTP header cannot carry (a control character or one "
          + "outside ASCII); the request was not sent and the value is not shown");
    }
  }

  /** Whether every character is visible ASCII, a space or a tab, as OkHttp and java.net.http accept. */
  private static boolean sendable(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < 0x20 || c > 0x7e)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The handler's authenticator, or the one the router picks for the provider named by the context attribute
   * {@link ProviderRouter#ATTRIBUTE} (a {@code String} or a {@link ProviderRouter.Route}).
   */
  static RequestAuthenticator authenticator(@Nullable RequestAuthenticator fixed, @Nullable ProviderRouter router,
      @Nullable HttpContext context) throws IOException {
    if (fixed != null) {
      return fixed;
    }
    Object named = context == null ? null : context.getAttribute(ProviderRouter.ATTRIBUTE);
    String provider = named instanceof ProviderRouter.Route r ? r.provider() : named == null ? null : named.toString();
    try {
      return java.util.Objects.requireNonNull(router).authenticator(provider);
    } catch (AuthException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static IOException ioException(Throwable failure) {
    AuthException e = RequestAuthenticator.asAuthException(failure);
    return new IOException(e.getMessage(), e);
  }
}
