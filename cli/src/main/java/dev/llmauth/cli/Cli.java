package dev.llmauth.cli;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.ConfigException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code llm-auth} command and the mapping of failures to exit codes and short messages. */
@Command(
    name = "llm-auth",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    description = "Authenticate requests to LLM providers: API keys, Entra ID and Codex OAuth.",
    subcommands = {
      DemoCommand.class,
      RequestCommand.class,
      TokenCommand.class,
      DoctorCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      MockCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "2:bad usage or bad configuration",
      "3:no credential could be obtained",
      "4:the upstream answered with a non-2xx status"
    })
final class Cli implements Runnable {
  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of failures (never secrets).")
  boolean verbose;

  final PrintStream out;
  final PrintStream err;
  final Map<String, String> env;

  Cli(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "missing command; see llm-auth --help");
  }

  /**
   * Runs one command line.
   *
   * @return the exit code
   */
  static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    Cli cli = new Cli(out, err, env);
    CommandLine cl = new CommandLine(cli);
    cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(cli, e));
    cl.setParameterExceptionHandler((e, a) -> {
      cl.getErr().println("llm-auth: " + e.getMessage());
      cl.getErr().println("Try 'llm-auth " + commandPath(e.getCommandLine()) + "--help' for usage.");
      return ExitCodes.USAGE;
    });
    return cl.execute(args);
  }

  private static String commandPath(CommandLine cl) {
    String qualified = cl.getCommandSpec().qualifiedName(" ");
    String rest = qualified.startsWith("llm-auth") ? qualified.substring("llm-auth".length()).trim() : qualified;
    return rest.isEmpty() ? "" : rest + " ";
  }

  private static int report(Cli cli, Exception e) {
    int code;
    String message;
    if (e instanceof CliException ce) {
      code = ce.exitCode();
      message = ce.getMessage();
    } else if (e instanceof ConfigException ce) {
      code = ExitCodes.USAGE;
      message = "configuration error: " + ce.getMessage();
    } else if (e instanceof AuthException ae) {
      code = ExitCodes.NO_CREDENTIAL;
      message = ae.code() + ": " + ae.getMessage();
    } else {
      code = ExitCodes.USAGE;
      message = "unexpected failure: " + e.getClass().getSimpleName() + (cli.verbose ? "" : " (run with --verbose)");
    }
    cli.err.println("llm-auth: " + message);
    if (cli.verbose) {
      e.printStackTrace(cli.err);
    }
    return code;
  }

  /** Reports the version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"llm-auth " + (v == null ? "development build" : v)};
    }
  }
}
