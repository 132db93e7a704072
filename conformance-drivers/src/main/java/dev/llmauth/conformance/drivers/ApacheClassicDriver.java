package dev.llmauth.conformance.drivers;

import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.http.apache.LlmAuthExecChainHandler;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.jspecify.annotations.Nullable;

/** Drives {@link LlmAuthExecChainHandler} on a classic client; the asynchronous call is a thread and cancel(). */
final class ApacheClassicDriver implements AdapterDriver {
  @Override
  public String name() {
    return "apache-classic";
  }

  @Override
  public boolean supportsOneShotBodies() {
    return true;
  }

  @Override
  public Client open(RequestAuthenticator authenticator) {
    CloseableHttpClient client = LlmAuthExecChainHandler.install(HttpClients.custom(), authenticator)
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(64)
            .setMaxConnTotal(64).build())
        .build();
    return new Client() {
      @Override
      public TestResponse send(TestRequest request) throws Exception {
        return execute(build(request));
      }

      // The caller reads the body as a stream after the call returns, so the response must stay open.
      @SuppressWarnings("deprecation")
      private TestResponse execute(HttpUriRequestBase r) throws IOException {
        CloseableHttpResponse response = client.execute(r);
        HttpEntity entity = response.getEntity();
        InputStream body = new FilterInputStream(entity == null ? new ByteArrayInputStream(new byte[0])
            : entity.getContent()) {
          @Override
          public void close() throws IOException {
            try {
              super.close();
            } finally {
              response.close();
            }
          }
        };
        return new TestResponse(response.getCode(), headers(response.getHeaders()), body,
            headers(r.getHeaders()));
      }

      @Override
      public CompletableFuture<TestResponse> sendAsync(TestRequest request) {
        HttpUriRequestBase r = build(request);
        CompletableFuture<TestResponse> out = new CompletableFuture<>();
        out.whenComplete((x, t) -> {
          if (out.isCancelled()) {
            r.cancel();
          }
        });
        Thread caller = new Thread(() -> {
          try {
            out.complete(execute(r));
          } catch (IOException | RuntimeException e) {
            out.completeExceptionally(e);
          }
        }, "apache-classic-caller");
        caller.setDaemon(true);
        caller.start();
        return out;
      }

      @Override
      public void close() throws IOException {
        client.close();
      }
    };
  }

  /** Routes by the context attribute {@link ProviderRouter#ATTRIBUTE}. */
  @Override
  public RoutingClient openRouting(ProviderRouter router) {
    CloseableHttpClient client = LlmAuthExecChainHandler.install(HttpClients.custom(), router).build();
    return new RoutingClient() {
      @Override
      @SuppressWarnings("deprecation")
      public TestResponse send(TestRequest request, @Nullable String provider) throws Exception {
        HttpUriRequestBase r = build(request);
        HttpClientContext context = HttpClientContext.create();
        if (provider != null) {
          context.setAttribute(ProviderRouter.ATTRIBUTE, provider);
        }
        CloseableHttpResponse response = client.execute(r, context);
        HttpEntity entity = response.getEntity();
        byte[] body = entity == null ? new byte[0] : EntityUtils.toByteArray(entity);
        response.close();
        return new TestResponse(response.getCode(), headers(response.getHeaders()), new ByteArrayInputStream(body),
            headers(r.getHeaders()));
      }

      @Override
      public void close() throws IOException {
        client.close();
      }
    };
  }

  private static HttpUriRequestBase build(TestRequest request) {
    HttpUriRequestBase r = new HttpUriRequestBase(request.method(), request.uri());
    request.headers().forEach((name, values) -> values.forEach(v -> r.addHeader(name, v)));
    byte[] body = request.body();
    if (body != null) {
      r.setEntity(request.oneShotBody()
          ? new InputStreamEntity(new ByteArrayInputStream(body), body.length, null)
          : new ByteArrayEntity(body, null));
    }
    return r;
  }

  static Map<String, List<String>> headers(Header[] headers) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (Header h : headers) {
      m.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
    }
    return m;
  }
}
