package dev.llmauth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Proves the SPI wiring on the module path: the compiled modules are loaded into a fresh module layer, where
 * only {@code provides} in module-info can make the provider visible (META-INF/services does not count for
 * named modules).
 */
@DisplayName("On the module path")
class ModulePathTest {
  @Test
  @DisplayName("dev.llmauth.apikey provides the CredentialMethod service to dev.llmauth.api")
  void providesOnModulePath() throws Exception {
    // The module path is exactly where these classes were loaded from: the two modules and their three
    // libraries, found by class, not guessed from file names.
    List<Path> modules = new ArrayList<>();
    for (Class<?> c : List.of(dev.llmauth.api.spi.CredentialMethod.class, ApiKeyMethod.class,
        com.github.benmanes.caffeine.cache.Caffeine.class, com.google.gson.Gson.class,
        org.jspecify.annotations.NullMarked.class)) {
      modules.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    ModuleFinder finder = ModuleFinder.of(modules.toArray(Path[]::new));
    for (String ours : List.of("dev.llmauth.api", "dev.llmauth.apikey")) {
      assertThat(finder.find(ours)).as(ours).hasValueSatisfying(
          m -> assertThat(m.descriptor().isAutomatic()).as(ours + " has a module-info").isFalse());
    }
    Configuration cf = ModuleLayer.boot().configuration()
        .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.llmauth.api"));
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

    assertThat(layer.findModule("dev.llmauth.apikey")).as("bound as a service provider").isPresent();
    Module api = layer.findModule("dev.llmauth.api").orElseThrow();
    assertThat(api.getDescriptor().exports()).extracting(e -> e.source())
        .containsExactlyInAnyOrder("dev.llmauth.api", "dev.llmauth.api.config", "dev.llmauth.api.spi");
    assertThat(layer.findModule("dev.llmauth.apikey").orElseThrow().getDescriptor().exports())
        .extracting(e -> e.source()).containsExactly("dev.llmauth.apikey");

    Class<?> spi = layer.findLoader("dev.llmauth.api").loadClass("dev.llmauth.api.spi.CredentialMethod");
    List<String> methods = new ArrayList<>();
    for (Object provider : ServiceLoader.load(layer, spi)) {
      methods.add((String) spi.getMethod("method").invoke(provider));
      assertThat(provider.getClass().getModule().getName()).isEqualTo("dev.llmauth.apikey");
    }
    assertThat(methods).containsExactly("api-key");
    assertThat(Arrays.stream(spi.getModule().getDescriptor().uses().toArray())).contains(spi.getName());
  }
}
