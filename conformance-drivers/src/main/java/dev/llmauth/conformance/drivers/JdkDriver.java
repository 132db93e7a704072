package dev.llmauth.conformance.drivers;

import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Drives {@link LlmAuthHttpClient}: {@code send} and {@code sendAsync}. The wrapped client does not follow
 * redirects: {@code LlmAuthHttpClient.wrap} refuses one that does (rule A13), so 3xx responses reach the caller.
 */
final class JdkDriver implements AdapterDriver {
  /**
   * The one client under every wrapped client of this driver, as an application has one. A JDK 17 {@code
   * HttpClient} cannot be closed, so a client per test would leave its pooled connections open at the suite's
   * server (rule A4 alone opens 32 per method); and once the JDK's {@code HttpServer} holds 200 idle connections
   * ({@code sun.net.httpserver.maxIdleConnections}) it closes each further connection right after answering on it,
   * without {@code Connection: close} ({@code sun.net.httpserver.ServerImpl.Dispatcher.handleEvent}), so the next
   * request sent on that connection fails with "header parser received no bytes".
   */
  private final HttpClient base = HttpClient.newHttpClient();

  @Override
  public String name() {
    return "jdk";
  }

  @Override
  public Client open(RequestAuthenticator authenticator) {
    HttpClient client = LlmAuthHttpClient.wrap(base, authenticator);
    return new Client() {
      @Override
      public TestResponse send(TestRequest request) throws Exception {
        HttpRequest r = build(request);
        return response(r, client.send(r, HttpResponse.BodyHandlers.ofInputStream()));
      }

      @Override
      public CompletableFuture<TestResponse> sendAsync(TestRequest request) {
        HttpRequest r = build(request);
        CompletableFuture<HttpResponse<InputStream>> call = client.sendAsync(r,
            HttpResponse.BodyHandlers.ofInputStream());
        CompletableFuture<TestResponse> out = call.thenApply(response -> response(r, response));
        out.whenComplete((x, t) -> {
          if (out.isCancelled()) {
            call.cancel(true);
          }
        });
        return out;
      }
    };
  }

  /** Routes by the header {@link ProviderRouter#HEADER}, which the adapter removes before sending. */
  @Override
  public RoutingClient openRouting(ProviderRouter router) {
    HttpClient client = LlmAuthHttpClient.wrap(base, router);
    return (request, provider) -> {
      HttpRequest r = build(provider == null ? request : request.withHeader(ProviderRouter.HEADER, provider));
      return response(r, client.send(r, HttpResponse.BodyHandlers.ofInputStream()));
    };
  }

  private static HttpRequest build(TestRequest request) {
    byte[] body = request.body();
    HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).method(request.method(),
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    request.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
    return b.build();
  }

  private static TestResponse response(HttpRequest request, HttpResponse<InputStream> response) {
    return new TestResponse(response.statusCode(), response.headers().map(), response.body(),
        request.headers().map());
  }
}
