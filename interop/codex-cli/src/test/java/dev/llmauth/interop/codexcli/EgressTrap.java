package dev.llmauth.interop.codexcli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP proxy that lets nothing through: the Codex CLI gets it as {@code HTTPS_PROXY}, {@code HTTP_PROXY}
 * and {@code ALL_PROXY} (with {@code NO_PROXY} for loopback), so any call it makes to a host other than the mocks
 * ends here, is recorded ({@code CONNECT chatgpt.com:443 HTTP/1.1}) and refused with 403.
 */
final class EgressTrap implements AutoCloseable {
  private final ServerSocket socket;
  private final List<String> attempts = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  EgressTrap() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::serve, "egress-trap");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** @return the proxy URL */
  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  /** @return the request lines of every call that tried to leave loopback */
  List<String> attempts() {
    return List.copyOf(attempts);
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String line = in.readLine();
        attempts.add(line == null ? "(no request line)" : line);
        OutputStream out = s.getOutputStream();
        out.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException closedOrReset) {
        // closed by close(), or a client that hung up: either way nothing went out
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
