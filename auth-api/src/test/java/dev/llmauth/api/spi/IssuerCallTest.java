package dev.llmauth.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link IssuerCall} against a raw HTTP server on 127.0.0.1 that this test drives byte by byte. Nothing is timed: the
 * server counts what it sent before the client hung up, and a trickled answer is long enough (about 20 s) that only
 * the deadline can end the exchange before the server has sent it all.
 */
@DisplayName("IssuerCall: one deadline for the whole exchange, a body cap, cancellation")
class IssuerCallTest {
  /** Short enough to keep the test quick; the trickle below lasts 40 times as long. */
  private static final IssuerTimeouts SHORT = new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500));
  /** For exchanges that must complete, on a machine that may be slow: the deadline is not what they test. */
  private static final IssuerTimeouts PATIENT = new IssuerTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(1));
  private static final int TRICKLE_BYTES = 400;
  private static final long TRICKLE_PAUSE_MS = 50;

  private RawServer server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  private static HttpRequest get(RawServer server) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/token")).build();
  }

  @Test
  @DisplayName("a whole answer: status, headers, body, Retry-After")
  void answer() throws Exception {
    server = RawServer.start(out -> out.write(("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
        + "Content-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"error\":\"x\"}")
        .getBytes(StandardCharsets.US_ASCII)));
    IssuerCall.Answer answer = IssuerCall.create(PATIENT).send(get(server));
    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.text()).isEqualTo("{\"error\":\"x\"}");
    assertThat(answer.truncated()).isFalse();
    assertThat(answer.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(answer.toString()).isEqualTo("IssuerCall.Answer[HTTP 429, 13 bytes]").doesNotContain("error");
  }

  @Test
  @DisplayName("an answer that trickles in fails at the deadline, with a timeout, while the server is still sending")
  void trickleIsCutOffByTheDeadline() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    CompletableFuture<Integer> hungUpAfter = new CompletableFuture<>();
    server = RawServer.start(out -> {
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + TRICKLE_BYTES
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      try {
        for (int i = 0; i < TRICKLE_BYTES; i++) {
          out.write(' ');
          out.flush();
          sent.incrementAndGet();
          Thread.sleep(TRICKLE_PAUSE_MS);
        }
        hungUpAfter.complete(-1);
      } catch (IOException closedByTheClient) {
        hungUpAfter.complete(sent.get());
      }
    });
    IssuerCall issuer = IssuerCall.create(SHORT);
    assertThatThrownBy(() -> issuer.send(get(server)))
        .isInstanceOf(HttpTimeoutException.class)
        .hasMessage("no complete answer within 500 ms");
    int atFailure = sent.get();
    assertThat(atFailure).as("bytes the server had sent when the exchange failed").isLessThan(TRICKLE_BYTES);
    assertThat(hungUpAfter.get(1, TimeUnit.MINUTES)).as("bytes sent before the client closed the connection; -1 "
        + "when the server could send the whole answer").isBetween(0, TRICKLE_BYTES - 1);
  }

  @Test
  @DisplayName("headers that never come fail at the deadline too, and the connection is closed")
  void silentIssuer() throws Exception {
    CompletableFuture<Boolean> closed = new CompletableFuture<>();
    server = RawServer.start(out -> { }, in -> closed.complete(in.read() == -1));
    IssuerCall issuer = IssuerCall.create(SHORT);
    assertThatThrownBy(() -> issuer.send(get(server))).isInstanceOf(HttpTimeoutException.class);
    assertThat(closed.get(1, TimeUnit.MINUTES)).as("the server read the end of the connection").isTrue();
  }

  @Test
  @DisplayName("a body larger than the cap is cut at the cap and marked truncated; one at the cap is whole")
  void bodyCap() throws Exception {
    server = RawServer.start(out -> out.write(("HTTP/1.1 200 OK\r\nContent-Length: 10000\r\nConnection: close\r\n\r\n"
        + "a".repeat(10_000)).getBytes(StandardCharsets.US_ASCII)));
    IssuerCall.Answer big = IssuerCall.create(PATIENT, 1000).send(get(server));
    assertThat(big.truncated()).isTrue();
    assertThat(big.body()).hasSize(1000);
    assertThat(big.toString()).isEqualTo("IssuerCall.Answer[HTTP 200, 1000 bytes, truncated]");
    IssuerCall.Answer exact = IssuerCall.create(PATIENT, 10_000).send(get(server));
    assertThat(exact.truncated()).isFalse();
    assertThat(exact.body()).hasSize(10_000);
  }

  @Test
  @DisplayName("a chunked body that never ends is cut at the cap, long before the deadline")
  void endlessChunkedBody() throws Exception {
    AtomicReference<Integer> chunks = new AtomicReference<>(0);
    server = RawServer.start(out -> {
      out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      try {
        for (int i = 0; i < 1_000_000; i++) {
          out.write(("400\r\n" + "b".repeat(0x400) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          chunks.set(i + 1);
        }
      } catch (IOException closedByTheClient) {
        // the client hung up
      }
    });
    IssuerCall.Answer answer = IssuerCall.create(new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(5)),
        64 * 1024).send(get(server));
    assertThat(answer.truncated()).isTrue();
    assertThat(answer.body()).hasSize(64 * 1024);
  }

  @Test
  @DisplayName("cancelling the future closes the connection and the waiter learns that the caller gave up")
  void cancel() throws Exception {
    CompletableFuture<Boolean> accepted = new CompletableFuture<>();
    CompletableFuture<Boolean> closed = new CompletableFuture<>();
    server = RawServer.start(out -> accepted.complete(true), in -> closed.complete(in.read() == -1));
    CompletableFuture<IssuerCall.Answer> call = IssuerCall.create(new IssuerTimeouts(Duration.ofSeconds(5),
        Duration.ofMinutes(5))).sendAsync(get(server));
    accepted.get(1, TimeUnit.MINUTES);
    assertThat(call.cancel(true)).isTrue();
    assertThat(closed.get(1, TimeUnit.MINUTES)).as("the server read the end of the connection").isTrue();
    assertThatThrownBy(() -> IssuerCall.await(call)).isInstanceOf(IOException.class)
        .hasMessageContaining("abandoned").hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  @DisplayName("interrupting the waiting thread closes the connection and keeps the interrupt flag")
  void interrupt() throws Exception {
    CompletableFuture<Boolean> accepted = new CompletableFuture<>();
    CompletableFuture<Boolean> closed = new CompletableFuture<>();
    server = RawServer.start(out -> accepted.complete(true), in -> closed.complete(in.read() == -1));
    IssuerCall issuer = IssuerCall.create(new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(5)));
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    CompletableFuture<Boolean> flag = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        issuer.send(get(server));
        thrown.complete(null);
      } catch (Throwable t) {
        flag.complete(Thread.currentThread().isInterrupted());
        thrown.complete(t);
      }
    });
    waiter.start();
    accepted.get(1, TimeUnit.MINUTES);
    waiter.interrupt();
    assertThat(thrown.get(1, TimeUnit.MINUTES)).isInstanceOf(InterruptedIOException.class);
    assertThat(flag.get(1, TimeUnit.MINUTES)).as("interrupt flag after send()").isTrue();
    assertThat(closed.get(1, TimeUnit.MINUTES)).as("the server read the end of the connection").isTrue();
  }

  @Test
  @DisplayName("a redirect is answered as it is, not followed")
  void noRedirect() throws Exception {
    server = RawServer.start(out -> out.write(("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\n"
        + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
    IssuerCall.Answer answer = IssuerCall.create(PATIENT).send(get(server));
    assertThat(answer.status()).isEqualTo(302);
    assertThat(answer.headers().firstValue("location")).hasValue("http://127.0.0.1:1/elsewhere");
  }

  @Test
  @DisplayName("a refused connection fails the future with the connection's IOException")
  void refused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CompletableFuture<IssuerCall.Answer> call = IssuerCall.create(PATIENT).sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/token")).build());
    assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
  }

  @Test
  @DisplayName("limits are checked")
  void limits() {
    assertThatThrownBy(() -> IssuerCall.create(SHORT, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBodyBytes");
    assertThatThrownBy(() -> new IssuerTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IssuerTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(IssuerCall.create(PATIENT).maxBodyBytes()).isEqualTo(IssuerCall.DEFAULT_MAX_BODY_BYTES);
  }

  /** A server that reads each request's head and then hands the connection to the test. */
  private static final class RawServer implements AutoCloseable {
    interface Answer {
      void write(OutputStream out) throws IOException, InterruptedException;
    }

    interface AfterAnswer {
      void read(InputStream in) throws IOException;
    }

    private final ServerSocket socket;
    private final Thread thread;

    private RawServer(ServerSocket socket, Answer answer, AfterAnswer after) {
      this.socket = socket;
      this.thread = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            // a client that never hangs up meets an end after a minute instead of a test that never ends
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            readHead(in);
            OutputStream out = s.getOutputStream();
            answer.write(out);
            out.flush();
            after.read(in);
          } catch (IOException | InterruptedException e) {
            // the test is over, or the client hung up
          }
        }
      }, "raw-issuer");
      thread.setDaemon(true);
      thread.start();
    }

    static RawServer start(Answer answer) throws IOException {
      return start(answer, in -> { });
    }

    static RawServer start(Answer answer, AfterAnswer after) throws IOException {
      return new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answer, after);
    }

    int port() {
      return socket.getLocalPort();
    }

    private static void readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      thread.interrupt();
    }
  }
}
