package dev.llmauth.cli;

import dev.llmauth.codex.CodexOAuthSettings;
import dev.llmauth.codex.CodexSignIn;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Signs in to ChatGPT for the Codex backend, storing the tokens where the Codex CLI keeps them. */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = "Sign in (only 'codex' for now): a browser sign-in, or --device for machines without a browser.")
final class LoginCommand implements Runnable {
  @ParentCommand Cli cli;

  @Parameters(index = "0", paramLabel = "SERVICE", description = "codex")
  String service = "";

  @Option(names = "--device", description = "Sign in with a code entered on another device.")
  boolean device;

  @Option(names = "--issuer", paramLabel = "URL", description = "OAuth issuer (default: https://auth.openai.com).")
  @Nullable String issuer;

  @Option(names = "--auth-file", paramLabel = "F",
      description = "Where to store the tokens (default: $CODEX_HOME/auth.json, else ~/.codex/auth.json).")
  @Nullable Path authFile;

  /** For private issuers and tests: the public issuer accepts only the redirect ports 1455 and 1457. */
  @Option(names = "--callback-port", hidden = true, paramLabel = "P")
  @Nullable Integer callbackPort;

  @Override
  public void run() {
    CodexSignIn.Builder builder = builder(cli, service, issuer, authFile);
    if (callbackPort != null) {
      if (callbackPort < 0 || callbackPort > 65_535) {
        throw new CliException(ExitCodes.USAGE, "--callback-port must be between 0 and 65535, got " + callbackPort);
      }
      builder.callbackPorts(callbackPort, callbackPort);
    }
    CodexSignIn signIn = builder.build();
    CodexSignIn.Result result = device
        ? signIn.signInWithDevice(code -> {
          cli.out.println("On any device, open " + code.verificationUri());
          cli.out.println("and enter the code: " + code.userCode() + "   (valid for "
              + code.expiresIn().toMinutes() + " minutes)");
          cli.out.flush();
        })
        : signIn.signInWithBrowser(url -> {
          cli.out.println("Open this page in your browser to sign in:");
          cli.out.println("  " + url);
          cli.out.println("Waiting for the sign-in to finish (5 minutes at most)...");
          cli.out.flush();
        });
    cli.out.println("Signed in" + (result.email() != null ? " as " + result.email() : "")
        + "; tokens stored at " + result.authFile());
  }

  static CodexSignIn.Builder builder(Cli cli, String service, @Nullable String issuer, @Nullable Path authFile) {
    if (!service.equals("codex")) {
      throw new CliException(ExitCodes.USAGE, "unknown service '" + service + "'; only 'codex' is supported");
    }
    return CodexSignIn.builder()
        .config(new CodexOAuthSettings(authFile == null ? null : authFile.toString(), issuer, null))
        .environment(cli.env);
  }
}
