package dev.llmauth.cli;

import java.io.PrintStream;
import java.util.Map;

/** Runs the command line with the process's streams and environment and exits with the command's code. */
public final class Main {
  private Main() {}

  /**
   * The entry point.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    System.exit(Cli.run(args, out, System.err, System.getenv()));
  }

  /** Keeps tests from exiting the JVM: they call {@link Cli#run(String[], PrintStream, PrintStream, Map)}. */
  static int run(String... args) {
    return Cli.run(args, System.out, System.err, System.getenv());
  }
}
