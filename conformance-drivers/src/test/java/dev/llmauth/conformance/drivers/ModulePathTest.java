package dev.llmauth.conformance.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The drivers' module on the module path, with and without OkHttp: OkHttp is the test build's choice, so the
 * module resolves without it and {@code all()} then leaves the OkHttp driver out.
 */
class ModulePathTest {
  private static final Predicate<Path> OKHTTP = p -> {
    String name = p.getFileName().toString();
    return name.startsWith("okhttp") || name.startsWith("okio") || name.startsWith("kotlin");
  };

  @Test
  void resolvesWithoutOkHttpAndLeavesItsDriverOut() throws Exception {
    assertThat(driverNames(layer(OKHTTP.negate(), Set.of()))).containsExactly("jdk", "apache-classic",
        "apache-async");
  }

  @Test
  void runsTheOkHttpDriverWhenOkHttpIsInTheGraph() throws Exception {
    assertThat(driverNames(layer(p -> true, Set.of("okhttp3", "dev.llmauth.http.okhttp")))).containsExactly("jdk",
        "okhttp", "apache-classic", "apache-async");
  }

  @Test
  void onTheClassPathOkHttpIsFound() {
    assertThat(AdapterDrivers.all()).extracting(d -> d.name()).containsExactly("jdk", "okhttp", "apache-classic",
        "apache-async");
    assertThat(AdapterDrivers.okHttpMissing()).isEmpty();
  }

  private static ModuleLayer layer(Predicate<Path> keep, Set<String> more) {
    Path[] path = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).map(Path::of)
        .filter(p -> !p.endsWith("test-classes"))
        .filter(p -> Files.isRegularFile(p) || Files.exists(p.resolve("module-info.class")))
        .filter(keep).toArray(Path[]::new);
    List<String> roots = new ArrayList<>(more);
    roots.add("dev.llmauth.conformance.drivers");
    Configuration cf = ModuleLayer.boot().configuration().resolve(ModuleFinder.of(path), ModuleFinder.of(), roots);
    return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
  }

  private static List<String> driverNames(ModuleLayer layer) throws Exception {
    ClassLoader loader = layer.findLoader("dev.llmauth.conformance.drivers");
    Class<?> drivers = loader.loadClass(AdapterDrivers.class.getName());
    assertThat(drivers.getModule().getName()).isEqualTo("dev.llmauth.conformance.drivers");
    Method name = loader.loadClass("dev.llmauth.conformance.AdapterDriver").getMethod("name");
    List<String> names = new ArrayList<>();
    for (Object driver : (List<?>) drivers.getMethod("all").invoke(null)) {
      names.add((String) name.invoke(driver));
    }
    return names;
  }
}
