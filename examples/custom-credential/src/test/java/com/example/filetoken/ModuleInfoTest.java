package com.example.filetoken;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.LlmAuth;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@code module-info.java} that docs/conformance-kit.md shows ("On the module path") is this module's, and it
 * does what the doc says: resolving only {@code dev.llmauth.api}, as an application that requires the API and no
 * method does, binds the method by service.
 */
class ModuleInfoTest {
  @Test
  void theDocShowsThisModuleInfo() throws Exception {
    String doc = Files.readString(Path.of("..", "..", "docs", "conformance-kit.md"));
    String section = doc.substring(doc.indexOf("## On the module path"));
    String fence = "```java\n";
    int start = section.indexOf(fence) + fence.length();
    String shown = section.substring(start, section.indexOf("```", start));
    assertThat(shown).isEqualTo(Files.readString(Path.of("src", "main", "java", "module-info.java")));
  }

  @Test
  void theMethodIsBoundByServiceWithoutARequires() throws Exception {
    // This module, the API and what the API requires: Caffeine, Gson, JSpecify.
    Path[] modules = {location(FileTokenMethod.class), location(LlmAuth.class),
        location(Class.forName("com.github.benmanes.caffeine.cache.Caffeine")),
        location(Class.forName("com.google.gson.Gson")), location(Class.forName("org.jspecify.annotations.NullMarked"))};
    Configuration cf = ModuleLayer.boot().configuration()
        .resolveAndBind(ModuleFinder.of(modules), ModuleFinder.of(), Set.of("dev.llmauth.api"));
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

    assertThat(layer.findModule("com.example.filetoken")).as("bound as a provider of CredentialMethod").isPresent();
    Class<?> spi = layer.findLoader("dev.llmauth.api").loadClass("dev.llmauth.api.spi.CredentialMethod");
    List<String> methods = new ArrayList<>();
    for (Object provider : ServiceLoader.load(layer, spi)) {
      methods.add((String) spi.getMethod("method").invoke(provider));
    }
    assertThat(methods).contains(FileTokenMethod.METHOD);
  }

  private static Path location(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
