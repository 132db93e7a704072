package dev.llmauth.cli;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Obtains a provider's credential and shows what it is, never its value. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Obtain the provider's credential and print its method, source and expiry; the token is redacted.")
final class TokenCommand implements Runnable {
  @ParentCommand Cli cli;
  @Mixin ConfigOptions config = new ConfigOptions();

  @Option(names = "--provider", paramLabel = "NAME", required = true, description = "The provider.")
  String provider = "";

  @Override
  public void run() {
    try (LlmAuth auth = config.open(cli.env)) {
      RequestAuthenticator a = auth.authenticator(provider);
      String baseUrl = a.baseUrl();
      if (baseUrl == null) {
        throw new CliException(ExitCodes.USAGE, "provider '" + provider + "' has no baseUrl; set one in the "
            + "configuration");
      }
      Authorization z = a.authorize(OutgoingRequest.of("POST", URI.create(baseUrl), Map.of()));
      cli.out.println("provider: " + provider);
      cli.out.println("method:   " + z.method());
      cli.out.println("source:   " + a.describe());
      cli.out.println("expires:  " + expiry(z.expiresAt()));
      cli.out.println("headers:  " + String.join(", ", z.headerNames()));
      cli.out.println("token:    " + z.redactedToken());
    }
  }

  private static String expiry(Instant at) {
    if (at.equals(Instant.MAX)) {
      return "never (static credential)";
    }
    Duration left = Duration.between(Instant.now(), at);
    return at + " (" + (left.isNegative() ? "expired" : "in " + left.toMinutes() + " min") + ")";
  }
}
