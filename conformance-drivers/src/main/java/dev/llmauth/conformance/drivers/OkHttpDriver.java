package dev.llmauth.conformance.drivers;

import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;

/**
 * Drives {@link LlmAuthInterceptor}, installed on a client that follows redirects: {@code execute} and {@code
 * enqueue}.
 */
final class OkHttpDriver implements AdapterDriver {
  @Override
  public String name() {
    return "okhttp";
  }

  @Override
  public boolean supportsOneShotBodies() {
    return true;
  }

  @Override
  public Client open(RequestAuthenticator authenticator) {
    OkHttpClient client = LlmAuthInterceptor.install(new OkHttpClient.Builder(), authenticator).build();
    client.dispatcher().setMaxRequestsPerHost(64);
    return new Client() {
      @Override
      public TestResponse send(TestRequest request) throws Exception {
        Request r = build(request);
        return response(r, client.newCall(r).execute());
      }

      @Override
      public CompletableFuture<TestResponse> sendAsync(TestRequest request) {
        Request r = build(request);
        Call call = client.newCall(r);
        CompletableFuture<TestResponse> out = new CompletableFuture<>();
        out.whenComplete((x, t) -> {
          if (out.isCancelled()) {
            call.cancel();
          }
        });
        call.enqueue(new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            out.completeExceptionally(e);
          }

          @Override
          public void onResponse(Call c, Response response) {
            out.complete(response(r, response));
          }
        });
        return out;
      }

      @Override
      public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  /** Routes by the request tag {@link ProviderRouter.Route}. */
  @Override
  public RoutingClient openRouting(ProviderRouter router) {
    OkHttpClient client = LlmAuthInterceptor.install(new OkHttpClient.Builder(), router).build();
    return new RoutingClient() {
      @Override
      public TestResponse send(TestRequest request, @Nullable String provider) throws Exception {
        Request.Builder b = build(request).newBuilder();
        if (provider != null) {
          b.tag(ProviderRouter.Route.class, new ProviderRouter.Route(provider));
        }
        Request r = b.build();
        return response(r, client.newCall(r).execute());
      }

      @Override
      public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  private static Request build(TestRequest request) {
    byte[] body = request.body();
    RequestBody requestBody = null;
    if (body != null) {
      requestBody = request.oneShotBody() ? new OneShot(body) : RequestBody.create(body, null);
    }
    Request.Builder b = new Request.Builder().url(request.uri().toString()).method(request.method(), requestBody);
    request.headers().forEach((name, values) -> values.forEach(v -> b.addHeader(name, v)));
    return b.build();
  }

  private static TestResponse response(Request request, Response response) {
    return new TestResponse(response.code(), response.headers().toMultimap(), response.body().byteStream(),
        request.headers().toMultimap());
  }

  private static final class OneShot extends RequestBody {
    private final byte[] body;

    OneShot(byte[] body) {
      this.body = body;
    }

    @Override
    public MediaType contentType() {
      return null;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(body);
    }

    @Override
    public boolean isOneShot() {
      return true;
    }
  }
}
