package dev.llmauth.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.config.ProviderConfig;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The core knows providers, not credential methods: no public type or member of an exported package of {@code
 * dev.llmauth.api} is named for a built-in method or one of its configuration fields. The classes are those of the
 * compiled module, found through its descriptor, so a new exported package or type is checked without a change here.
 */
@DisplayName("auth-api names no built-in method")
class NoMethodNamesTest {
  /** The built-in methods' configuration fields (docs/configuration.md), as words. */
  private static final List<List<String>> FIELDS = Stream.of("apiKey", "bearerToken", "managedIdentity", "entra",
      "codexOAuth", "command").map(NoMethodNamesTest::words).toList();
  /** Words that name a built-in method in a type's name, besides its fields. */
  private static final List<List<String>> TYPE_WORDS = Stream.concat(FIELDS.stream(),
      Stream.of(List.of("codex"), List.of("api", "key"))).toList();

  @Test
  @DisplayName("no public type, record component, field or method of an exported package")
  void noPublicNames() throws Exception {
    List<String> found = new ArrayList<>();
    for (Class<?> type : exportedPublicTypes()) {
      if (TYPE_WORDS.stream().anyMatch(w -> java.util.Collections.indexOfSubList(words(type.getSimpleName()), w) >= 0)) {
        found.add("type " + type.getName());
      }
      List<Member> members = new ArrayList<>();
      members.addAll(Arrays.asList(type.getDeclaredFields()));
      members.addAll(Arrays.asList(type.getDeclaredMethods()));
      for (Member m : members) {
        boolean visible = Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
        if (visible && !m.isSynthetic() && namedForAMethodField(m.getName())) {
          found.add((m instanceof Method ? "method " : "field ") + type.getName() + "." + m.getName());
        }
      }
      if (type.isRecord()) {
        for (RecordComponent c : type.getRecordComponents()) {
          if (namedForAMethodField(c.getName())) {
            found.add("record component " + type.getName() + "." + c.getName());
          }
        }
      }
    }
    assertThat(found).as("names of built-in methods in auth-api's public API").isEmpty();
  }

  @Test
  @DisplayName("no method's field among the core's own fields")
  void noMethodFieldInCoreFields() {
    assertThat(ProviderConfig.CORE_FIELDS.stream().filter(NoMethodNamesTest::namedForAMethodField))
        .as("ProviderConfig.CORE_FIELDS").isEmpty();
  }

  @Test
  @DisplayName("the check sees the API's types and would see a field's name")
  void checkSeesTheApi() throws Exception {
    assertThat(exportedPublicTypes()).contains(ProviderConfig.class, ProviderConfig.Builder.class,
        dev.llmauth.api.spi.CredentialMethod.class, LlmAuth.class);
    assertThat(Stream.of("apiKey", "bearerToken", "managedIdentityConfig", "entra", "codexOAuth", "API_KEY"))
        .allMatch(NoMethodNamesTest::namedForAMethodField);
    assertThat(Stream.of("API_KEY_HEADER", "baseUrl", "authMode", "CODEX", "commands", "entrance"))
        .noneMatch(NoMethodNamesTest::namedForAMethodField);
  }

  /**
   * Whether a member's name is a method's field, or starts with one in camel case ({@code apiKeyOrigin}). A
   * constant's name must equal one ({@code API_KEY}): {@code TokenUse.API_KEY_HEADER} names the {@code api-key}
   * header of the wire contract, which any method may ask for.
   */
  private static boolean namedForAMethodField(String name) {
    List<String> words = words(name);
    boolean constant = name.equals(name.toUpperCase(Locale.ROOT));
    return FIELDS.stream().anyMatch(f -> constant ? words.equals(f)
        : words.size() >= f.size() && words.subList(0, f.size()).equals(f));
  }

  /** Splits {@code codexOAuth}, {@code API_KEY} and {@code ManagedIdentityConfig} into lower-case words. */
  private static List<String> words(String name) {
    return Arrays.stream(name.split("_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"))
        .filter(w -> !w.isEmpty()).map(w -> w.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
  }

  /** The public types, nested ones included, of the packages dev.llmauth.api exports. */
  private static Set<Class<?>> exportedPublicTypes() throws Exception {
    Path location = Path.of(ProviderConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleReference module = ModuleFinder.of(location).find("dev.llmauth.api").orElseThrow();
    Set<String> exported = module.descriptor().exports().stream().map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
    Set<Class<?>> types = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
    try (ModuleReader reader = module.open(); Stream<String> resources = reader.list()) {
      for (String resource : resources.filter(r -> r.endsWith(".class") && !r.endsWith("module-info.class")
          && !r.endsWith("package-info.class")).toList()) {
        String name = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
        if (exported.contains(name.substring(0, name.lastIndexOf('.')))) {
          Class<?> type = Class.forName(name, false, ProviderConfig.class.getClassLoader());
          if (isPublic(type)) {
            types.add(type);
          }
        }
      }
    }
    return types;
  }

  private static boolean isPublic(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getDeclaringClass()) {
      if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}
