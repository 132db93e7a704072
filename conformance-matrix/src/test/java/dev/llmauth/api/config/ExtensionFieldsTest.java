package dev.llmauth.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fields the library does not define: kept for third-party methods, warned about unless one claims them. */
class ExtensionFieldsTest {
  private static final String VALUE = "value-that-must-not-be-logged";

  /** A third-party method that reads {@code deployment} and is pinned with {@code authMode: vault}. */
  public static final class VaultProvider implements CredentialMethod {
    @Override
    public String method() {
      return "vault";
    }

    @Override
    public int priority() {
      return 500;
    }

    @Override
    public Availability availability(ProviderConfig config, ResolutionContext context) {
      return Availability.unavailable("test method");
    }

    @Override
    public Credential create(ProviderConfig config, ResolutionContext context) {
      throw new UnsupportedOperationException("never created in these tests");
    }

    @Override
    public Set<String> configKeys() {
      return Set.of("deployment");
    }
  }

  @Test
  void unclaimedFieldsAreWarnedAboutByNameNeverByValue() {
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"apikey\": \"" + VALUE + "\", "
        + "\"deployment\": \"" + VALUE + "\", \"colour\": \"" + VALUE + "\"}}}", "test", Map.of());
    List<String> warnings = warningsWhile(() -> LlmAuth.builder().config(config)
        .credentialMethods(List.of(new VaultProvider(), new dev.llmauth.apikey.ApiKeyMethod())).build().close());
    assertThat(warnings).hasSize(2);
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("'p'", "providers.p.apikey", "did you mean apiKey?"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("'p'", "providers.p.colour", "check its spelling"));
    assertThat(String.join("\n", warnings)).doesNotContain(VALUE).doesNotContain("deployment");
  }

  @Test
  void withoutTheClaimingMethodEveryExtensionIsWarnedAbout() {
    LlmAuthConfig config = LlmAuthConfig.parse("{\"providers\": {\"p\": {\"deployment\": \"d\"}}}", "test",
        Map.of());
    assertThat(warningsWhile(() -> LlmAuth.builder().config(config).credentialMethods(List.of()).build().close()))
        .singleElement().asString().contains("providers.p.deployment");
  }

  @Test
  void unknownTopLevelFieldsAreWarnedAbout() {
    List<String> warnings = warningsWhile(() -> LlmAuthConfig.parse("{\"provider\": {}, \"providers\": {}}",
        "test", Map.of()));
    assertThat(warnings).singleElement().asString().contains("provider", "test", "the only top-level field");
  }

  @Test
  void installedMethodsAddTheirAuthMode(@TempDir Path dir) throws IOException {
    String pinned = "{\"providers\": {\"p\": {\"authMode\": \"vault\"}}}";
    assertThatThrownBy(() -> LlmAuthConfig.parse(pinned, "test", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown authMode 'vault'");
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(CredentialMethod.class.getName()), VaultProvider.class.getName() + "\n");
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, previous)) {
      thread.setContextClassLoader(loader);
      assertThat(LlmAuthConfig.parse(pinned, "test", Map.of()).provider("p").authMode()).isEqualTo("vault");
      assertThatThrownBy(() -> LlmAuthConfig.parse("{\"providers\": {\"p\": {\"authMode\": \"x\"}}}", "test",
          Map.of())).hasMessageContaining("use one of apiKey, command, codex-oauth, entra, vault");
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static List<String> warningsWhile(Runnable action) {
    List<String> messages = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
          Object[] params = r.getParameters();
          messages.add(params == null ? r.getMessage()
              : java.text.MessageFormat.format(r.getMessage(), params));
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger("dev.llmauth.api.internal");
    logger.addHandler(handler);
    try {
      action.run();
    } finally {
      logger.removeHandler(handler);
    }
    return messages;
  }
}
