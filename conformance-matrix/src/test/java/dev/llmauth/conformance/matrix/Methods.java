package dev.llmauth.conformance.matrix;

import dev.llmauth.command.CommandFixture;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.ScriptedMethod;
import dev.llmauth.conformance.mock.MockIdentityServer;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/**
 * Every credential method of this repository, plus the kit's scripted one: add a fixture here. Each fixture is
 * watched by {@link LeakWatch}.
 */
final class Methods {
  private Methods() {}

  static List<Named<Supplier<MethodFixture>>> all() {
    return List.of(
        MethodFixture.named(ScriptedMethod.METHOD, LeakWatch.watch(ScriptedMethod::new)),
        MethodFixture.named("api-key", LeakWatch.watch(ApiKeyFixture::new)),
        MethodFixture.named("codex-oauth", LeakWatch.watch(CodexOAuthFixture::new)),
        MethodFixture.named("command", LeakWatch.watch(CommandFixture::new)),
        MethodFixture.named("entra", LeakWatch.watch(EntraFixture::new)),
        MethodFixture.named("entra-chain", LeakWatch.watch(() -> new EntraFixture(EntraFixture.Path.CHAIN,
            MockIdentityServer.AnswerStyle.AZURE))));
  }
}
