package dev.llmauth.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.gson.Gson;
import dev.llmauth.api.LlmAuth;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The SPI wiring on the module path: the module and what it needs, located by the classes they hold, are loaded
 * into a fresh layer, where only {@code provides} in module-info makes the provider visible.
 */
class ModulePathTest {
  @Test
  void providesTheCredentialMethodOnTheModulePath() throws Exception {
    Path[] modules = {location(CommandMethod.class), location(LlmAuth.class), location(Caffeine.class),
        location(Gson.class), location(NullMarked.class)};
    Configuration cf = ModuleLayer.boot().configuration()
        .resolveAndBind(ModuleFinder.of(modules), ModuleFinder.of(), Set.of("dev.llmauth.api"));
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

    Module command = layer.findModule("dev.llmauth.command").orElseThrow(() ->
        new AssertionError("dev.llmauth.command was not bound as a service provider"));
    assertThat(command.getDescriptor().exports()).as("exports").isEmpty();
    Class<?> spi = layer.findLoader("dev.llmauth.api").loadClass("dev.llmauth.api.spi.CredentialMethod");
    List<String> methods = new ArrayList<>();
    for (Object provider : ServiceLoader.load(layer, spi)) {
      methods.add((String) spi.getMethod("method").invoke(provider));
    }
    assertThat(methods).containsExactly(CommandMethod.METHOD);
  }

  private static Path location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
