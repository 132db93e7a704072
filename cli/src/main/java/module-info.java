/** The {@code llm-auth} command line: demo, request, token, doctor, login, logout and the mock servers. */
module dev.llmauth.cli {
  requires dev.llmauth.api;
  requires info.picocli;
  requires static org.jspecify;

  opens dev.llmauth.cli to info.picocli;
}
