package dev.llmauth.codex;

import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;

/**
 * One process of the crash test: refreshes the expired sign-in in auth.json and halts the JVM (no shutdown hooks,
 * no finally blocks) after the issuer answered and the new version is in its temporary file, before the rename.
 */
public final class HaltBeforeRenameChild {
  /** The exit status of the halt. */
  static final int HALTED = 17;

  private HaltBeforeRenameChild() {}

  public static void main(String[] args) throws Exception {
    AuthFile file = new AuthFile(Path.of(args[0])).beforeRename(tmp -> Runtime.getRuntime().halt(HALTED));
    CodexTokenSource source = new CodexTokenSource(file, new OAuthClient(args[1],
        CodexOAuthSettings.DEFAULT_ORIGINATOR), CodexOAuthSettings.DEFAULT_ORIGINATOR, InstantSource.system());
    source.fetch(new TokenRequest(List.of(), null), FetchReason.EXPIRED).toCompletableFuture().join();
    System.out.println("NOT HALTED");
  }
}
