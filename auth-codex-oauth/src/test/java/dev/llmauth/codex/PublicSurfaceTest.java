package dev.llmauth.codex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module's public types are its API; the implementation is package-private. */
class PublicSurfaceTest {
  @Test
  void onlyTheMethodTheSettingsAndTheSignInArePublic() throws IOException, URISyntaxException {
    Path classes = Path.of(CodexOAuthMethod.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> visible;
    try (Stream<Path> files = Files.walk(classes)) {
      visible = files.map(p -> classes.relativize(p).toString())
          .filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class")
              && !name.endsWith("package-info.class"))
          .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
          .map(PublicSurfaceTest::load)
          .filter(PublicSurfaceTest::visibleOutside)
          .map(Class::getName)
          .sorted()
          .toList();
    }
    assertThat(visible).containsExactly(
        "dev.llmauth.codex.CodexOAuthMethod",
        "dev.llmauth.codex.CodexOAuthSettings",
        "dev.llmauth.codex.CodexSignIn",
        "dev.llmauth.codex.CodexSignIn$Builder",
        "dev.llmauth.codex.CodexSignIn$DeviceCode",
        "dev.llmauth.codex.CodexSignIn$Result");
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, PublicSurfaceTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(name, e);
    }
  }

  /** Public, and so are all its enclosing classes. */
  private static boolean visibleOutside(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}
