package com.example.filetoken;

import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.HttpAdapterVerification;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/** The kit's HTTP rules (A1-A15) with file-token on llm-auth's java.net.http adapter. */
class FileTokenOverJdkClientConformanceTest extends HttpAdapterVerification {
  @Override
  protected AdapterDriver adapter() {
    return new AdapterDriver() {
      @Override
      public String name() {
        return "jdk";
      }

      @Override
      public Client open(RequestAuthenticator authenticator) {
        HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newHttpClient(), authenticator);
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
    };
  }

  @Override
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return List.of(MethodFixture.named(FileTokenMethod.METHOD, FileTokenFixture::new));
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
