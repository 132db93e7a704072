package dev.llmauth.conformance.matrix;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What must never happen between the published modules, checked on their compiled classes. */
@DisplayName("Architecture of the published modules")
class ModuleArchitectureTest {
  private static final JavaClasses LIBRARY = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.llmauth.api", "dev.llmauth.apikey", "dev.llmauth.entra", "dev.llmauth.codex",
          "dev.llmauth.command", "dev.llmauth.http");

  @Test
  @DisplayName("library code never writes to System.out or System.err")
  void noStandardStreams() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(LIBRARY);
  }

  @Test
  @DisplayName("library code never prints stack traces itself")
  void noPrintStackTrace() {
    noClasses().should().callMethod(Throwable.class, "printStackTrace")
        .because("failures reach the caller as typed exceptions with secret-free messages").check(LIBRARY);
  }

  @Test
  @DisplayName("the API depends on no method, adapter, kit or CLI")
  void apiStandsAlone() {
    noClasses().that().resideInAPackage("dev.llmauth.api..").should().dependOnClassesThat()
        .resideInAnyPackage("dev.llmauth.apikey..", "dev.llmauth.entra..", "dev.llmauth.codex..",
            "dev.llmauth.command..", "dev.llmauth.http..", "dev.llmauth.conformance..", "dev.llmauth.cli..")
        .check(LIBRARY);
  }

  @Test
  @DisplayName("methods and adapters never depend on one another")
  void modulesIndependent() {
    List<String> modules = List.of("dev.llmauth.apikey", "dev.llmauth.entra", "dev.llmauth.codex",
        "dev.llmauth.command", "dev.llmauth.http.jdk", "dev.llmauth.http.okhttp", "dev.llmauth.http.apache");
    for (String module : modules) {
      String[] others = modules.stream().filter(m -> !m.equals(module)).map(m -> m + "..").toArray(String[]::new);
      noClasses().that().resideInAPackage(module + "..").should().dependOnClassesThat().resideInAnyPackage(others)
          .check(LIBRARY);
    }
  }

  @Test
  @DisplayName("only auth-entra touches Azure or MSAL types")
  void azureOnlyInEntra() {
    noClasses().that().resideOutsideOfPackage("dev.llmauth.entra..").should().dependOnClassesThat()
        .resideInAnyPackage("com.azure..", "com.microsoft.aad..").check(LIBRARY);
  }
}
