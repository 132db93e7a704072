package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What an application on OkHttp 4 gets when it adds the adapter: its own OkHttp 4 and no OkHttp 5 beside it, on
 * the class path and on the module path.
 */
@DisplayName("An application on OkHttp 4")
class OkHttp4ClassPathTest {
  private static List<Path> classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of).toList();
  }

  @Test
  @DisplayName("keeps OkHttp 4.12 alone on its class path: the adapter brings no okhttp-jvm")
  void theAdapterBringsNoOkHttp5() throws Exception {
    assertThat(OkHttp.VERSION).startsWith("4.12.");
    Path okhttp = Path.of(OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(okhttp.getFileName().toString()).startsWith("okhttp-4.12.");
    assertThat(classPath()).map(p -> p.getFileName().toString())
        .noneMatch(name -> name.startsWith("okhttp-jvm"))
        .filteredOn(name -> name.startsWith("okhttp-")).hasSize(1);
  }

  @Test
  @DisplayName("resolves the adapter's module on the module path, with OkHttp 4's automatic module okhttp3")
  void theAdapterModuleResolvesWithOkHttp4() throws Exception {
    Path[] jars = classPath().stream().filter(p -> !p.endsWith("test-classes"))
        .filter(p -> Files.isRegularFile(p) || Files.exists(p.resolve("module-info.class"))).toArray(Path[]::new);
    ModuleFinder finder = ModuleFinder.of(jars);
    Configuration cf = ModuleLayer.boot().configuration()
        .resolve(finder, ModuleFinder.of(), Set.of("dev.llmauth.http.okhttp"));
    ModuleDescriptor okhttp3 = cf.findModule("okhttp3").orElseThrow().reference().descriptor();
    assertThat(okhttp3.isAutomatic()).as("OkHttp 4 has no module-info, only Automatic-Module-Name").isTrue();
    assertThat(cf.findModule("okhttp3").orElseThrow().reference().location().orElseThrow().toString())
        .contains("okhttp-4.12.");

    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    Class<?> adapter = layer.findLoader("dev.llmauth.http.okhttp").loadClass(LlmAuthInterceptor.class.getName());
    assertThat(adapter.getModule().getName()).isEqualTo("dev.llmauth.http.okhttp");
    assertThat(adapter.getModule().canRead(layer.findModule("okhttp3").orElseThrow())).isTrue();
  }
}
