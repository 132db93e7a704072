package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Proves the published modules on the module path: every jar of the test class path is put in a fresh module
 * layer (ours are named modules, libraries without a descriptor become automatic modules), the roots are resolved
 * and services bound, and {@link ServiceLoader} must find each credential method through {@code provides} alone.
 */
@DisplayName("On the module path")
class ModulePathWiringTest {
  private static final Set<String> OURS = Set.of("dev.llmauth.api", "dev.llmauth.apikey", "dev.llmauth.entra",
      "dev.llmauth.codex", "dev.llmauth.command", "dev.llmauth.http.jdk", "dev.llmauth.http.okhttp", "dev.llmauth.http.apache");

  @Test
  @DisplayName("every module resolves, and ServiceLoader finds api-key, codex-oauth, entra and command through provides")
  void methodsAreFoundThroughProvides() throws Exception {
    List<Path> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      // Test classes, and test jars such as auth-api's (its packages are auth-api's own), are not modules.
      boolean testClasses = p.endsWith("test-classes") || p.getFileName().toString().endsWith("-tests.jar");
      if (!testClasses && Files.exists(p) && (Files.isRegularFile(p) || Files.exists(p.resolve("module-info.class")))) {
        jars.add(p);
      }
    }
    ModuleFinder all = ModuleFinder.of(jars.toArray(Path[]::new));
    Set<String> found = new TreeSet<>();
    for (ModuleReference ref : all.findAll()) {
      found.add(ref.descriptor().name());
    }
    assertThat(found).containsAll(OURS);
    for (String ours : OURS) {
      assertThat(all.find(ours).orElseThrow().descriptor().isAutomatic()).as(ours + " has a module-info").isFalse();
    }

    Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(all, ModuleFinder.of(), OURS);
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    Class<?> spi = layer.findLoader("dev.llmauth.api").loadClass("dev.llmauth.api.spi.CredentialMethod");
    List<String> methods = new ArrayList<>();
    for (Object provider : ServiceLoader.load(layer, spi)) {
      methods.add(spi.getMethod("method").invoke(provider) + " from " + provider.getClass().getModule().getName());
    }
    assertThat(methods).containsExactlyInAnyOrder("api-key from dev.llmauth.apikey",
        "codex-oauth from dev.llmauth.codex", "entra from dev.llmauth.entra", "command from dev.llmauth.command");
  }
}
