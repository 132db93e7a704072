package dev.llmauth.cli;

/** The exit codes of the command line. */
final class ExitCodes {
  static final int OK = 0;
  /** Bad usage or bad configuration. */
  static final int USAGE = 2;
  /** No credential could be obtained: nothing configured, an identity or OAuth endpoint failed, sign-in needed. */
  static final int NO_CREDENTIAL = 3;
  /** The upstream answered with a non-2xx status. */
  static final int UPSTREAM = 4;

  private ExitCodes() {}
}
