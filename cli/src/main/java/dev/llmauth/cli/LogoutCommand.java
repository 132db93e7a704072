package dev.llmauth.cli;

import dev.llmauth.codex.CodexSignIn;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Removes a stored sign-in. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Remove the stored Codex sign-in.")
final class LogoutCommand implements Runnable {
  @ParentCommand Cli cli;

  @Parameters(index = "0", paramLabel = "SERVICE", description = "codex")
  String service = "";

  @Option(names = "--auth-file", paramLabel = "F",
      description = "The file holding the tokens (default: $CODEX_HOME/auth.json, else ~/.codex/auth.json).")
  @Nullable Path authFile;

  @Override
  public void run() {
    CodexSignIn signIn = LoginCommand.builder(cli, service, null, authFile).build();
    boolean removed = signIn.signOut();
    cli.out.println(removed ? "Signed out; tokens removed from " + signIn.authFile()
        : "No sign-in was stored at " + signIn.authFile());
  }
}
