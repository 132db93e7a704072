package dev.llmauth.conformance.drivers;

import dev.llmauth.api.ProviderRouter;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.TestRequest;
import dev.llmauth.conformance.TestResponse;
import dev.llmauth.http.apache.LlmAuthAsyncExecChainHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.jspecify.annotations.Nullable;

/** Drives {@link LlmAuthAsyncExecChainHandler}, streaming response bodies to the caller as they arrive. */
final class ApacheAsyncDriver implements AdapterDriver {
  @Override
  public String name() {
    return "apache-async";
  }

  @Override
  public boolean supportsOneShotBodies() {
    return true;
  }

  @Override
  public Client open(RequestAuthenticator authenticator) {
    CloseableHttpAsyncClient client = LlmAuthAsyncExecChainHandler.install(HttpAsyncClients.custom(), authenticator)
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setMaxConnPerRoute(64)
            .setMaxConnTotal(64).build())
        .build();
    client.start();
    return new Client() {
      @Override
      public TestResponse send(TestRequest request) throws Exception {
        try {
          return sendAsync(request).get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }

      @Override
      public CompletableFuture<TestResponse> sendAsync(TestRequest request) {
        return exchange(client, request, null);
      }

      @Override
      public void close() {
        client.close(CloseMode.IMMEDIATE);
      }
    };
  }

  /** Routes by the context attribute {@link ProviderRouter#ATTRIBUTE}. */
  @Override
  public RoutingClient openRouting(ProviderRouter router) {
    CloseableHttpAsyncClient client = LlmAuthAsyncExecChainHandler.install(HttpAsyncClients.custom(), router)
        .build();
    client.start();
    return new RoutingClient() {
      @Override
      public TestResponse send(TestRequest request, @Nullable String provider) throws Exception {
        HttpClientContext context = HttpClientContext.create();
        if (provider != null) {
          context.setAttribute(ProviderRouter.ATTRIBUTE, provider);
        }
        try {
          return exchange(client, request, context).get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }

      @Override
      public void close() {
        client.close(CloseMode.IMMEDIATE);
      }
    };
  }

  private static CompletableFuture<TestResponse> exchange(CloseableHttpAsyncClient client, TestRequest request,
      @Nullable HttpClientContext context) {
    BasicHttpRequest r = new BasicHttpRequest(request.method(), request.uri());
    request.headers().forEach((name, values) -> values.forEach(v -> r.addHeader(name, v)));
    byte[] body = request.body();
    AsyncEntityProducer entity = null;
    if (body != null) {
      entity = AsyncEntityProducers.create(body, null);
      if (request.oneShotBody()) {
        entity = new OneShot(entity);
      }
    }
    StreamingConsumer consumer = new StreamingConsumer(r);
    Future<Void> call = client.execute(new BasicRequestProducer(r, entity), consumer, context, null);
    consumer.head.whenComplete((x, t) -> {
      if (consumer.head.isCancelled()) {
        call.cancel(true);
      }
    });
    return consumer.head;
  }

  /** Hands the response to the caller at its head and its body as it arrives. */
  private static final class StreamingConsumer implements AsyncResponseConsumer<Void> {
    private static final byte[] END = new byte[0];
    final CompletableFuture<TestResponse> head = new CompletableFuture<>();
    private final BasicHttpRequest request;
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();

    StreamingConsumer(BasicHttpRequest request) {
      this.request = request;
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails details, HttpContext context,
        FutureCallback<Void> callback) {
      head.complete(new TestResponse(response.getCode(), ApacheClassicDriver.headers(response.getHeaders()),
          new QueueStream(chunks), ApacheClassicDriver.headers(request.getHeaders())));
      if (details == null) {
        chunks.add(END);
      }
      if (callback != null) {
        callback.completed(null);
      }
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {}

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      channel.update(Integer.MAX_VALUE);
    }

    @Override
    public void consume(ByteBuffer src) {
      byte[] b = new byte[src.remaining()];
      src.get(b);
      chunks.add(b);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
      chunks.add(END);
    }

    @Override
    public void failed(Exception cause) {
      head.completeExceptionally(cause);
      chunks.add(END);
    }

    @Override
    public void releaseResources() {}
  }

  /** Reads the chunks a consumer queued, blocking until more arrive. */
  private static final class QueueStream extends InputStream {
    private final LinkedBlockingQueue<byte[]> chunks;
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    QueueStream(LinkedBlockingQueue<byte[]> chunks) {
      this.chunks = chunks;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (pos >= current.length) {
        if (ended) {
          return -1;
        }
        try {
          current = chunks.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException();
        }
        pos = 0;
        if (current.length == 0) {
          ended = true;
        }
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** A producer that says it cannot be sent twice. */
  private static final class OneShot implements AsyncEntityProducer {
    private final AsyncEntityProducer delegate;

    OneShot(AsyncEntityProducer delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean isRepeatable() {
      return false;
    }

    @Override
    public void failed(Exception cause) {
      delegate.failed(cause);
    }

    @Override
    public long getContentLength() {
      return delegate.getContentLength();
    }

    @Override
    public String getContentType() {
      return delegate.getContentType();
    }

    @Override
    public String getContentEncoding() {
      return delegate.getContentEncoding();
    }

    @Override
    public boolean isChunked() {
      return delegate.isChunked();
    }

    @Override
    public Set<String> getTrailerNames() {
      return delegate.getTrailerNames();
    }

    @Override
    public int available() {
      return delegate.available();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      delegate.produce(channel);
    }

    @Override
    public void releaseResources() {
      delegate.releaseResources();
    }
  }
}
