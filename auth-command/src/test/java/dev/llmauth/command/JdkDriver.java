package dev.llmauth.command;

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

/** llm-auth's java.net.http adapter, driven by the kit's HTTP suites. */
final class JdkDriver implements AdapterDriver {
  /**
   * One client under every wrapped one: a JDK 17 {@code HttpClient} cannot be closed, and a client per test would
   * leave its connections open at the suite's server, which past 200 idle connections drops each connection right
   * after answering on it (conformance-matrix's JdkDriver says more).
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
        CompletableFuture<HttpResponse<InputStream>> call =
            client.sendAsync(r, HttpResponse.BodyHandlers.ofInputStream());
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
