package dev.llmauth.cli;

import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.conformance.mock.MockModelServer;
import dev.llmauth.conformance.mock.MockOAuthServer;
import dev.llmauth.conformance.mock.MockServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Runs one of the kit's mock servers on loopback until it is stopped. */
@Command(name = "mock", mixinStandardHelpOptions = true,
    description = "Run a mock server of the conformance kit on 127.0.0.1; prints 'Listening: {json}' and serves "
        + "until stopped (Ctrl-C or its /__control/stop path).")
final class MockCommand implements Runnable {
  @ParentCommand Cli cli;

  @Parameters(index = "0", paramLabel = "KIND", description = "identity, oauth or model")
  String kind = "";

  @Option(names = "--port", paramLabel = "P", defaultValue = "0", description = "Port (default: a free one).")
  int port;

  @Override
  public void run() {
    if (port < 0 || port > 65_535) {
      throw new CliException(ExitCodes.USAGE, "--port must be between 0 and 65535, got " + port);
    }
    MockServer server = switch (kind) {
      case "identity" -> new MockIdentityServer(port).start();
      case "oauth" -> new MockOAuthServer(port).start();
      case "model" -> new MockModelServer(port).start();
      default -> throw new CliException(ExitCodes.USAGE, "unknown mock '" + kind + "'; use identity, oauth or model");
    };
    Thread stopOnExit = new Thread(server::close, "llm-auth-mock-stop");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    cli.out.println(server.listeningLine());
    cli.out.flush();
    try {
      server.awaitStop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to
      }
    }
  }
}
