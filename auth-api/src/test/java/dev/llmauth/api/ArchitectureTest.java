package dev.llmauth.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Architecture of auth-api")
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.llmauth.api");

  @Test
  @DisplayName("library code never writes to System.out or System.err")
  void noStandardStreams() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(MAIN);
  }

  @Test
  @DisplayName("the API depends on no credential method or adapter module")
  void noImplementationDependencies() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.llmauth.apikey..", "dev.llmauth.entra..",
        "dev.llmauth.codex..", "dev.llmauth.http..", "com.azure..", "com.microsoft..").check(MAIN);
  }

  @Test
  @DisplayName("public signatures of exported packages never mention the internal package")
  void internalStaysInternal() {
    methods().that().arePublic().and().areDeclaredInClassesThat().resideOutsideOfPackage("..internal..")
        .should(new ArchCondition<JavaMethod>("not expose dev.llmauth.api.internal types") {
          @Override
          public void check(JavaMethod m, ConditionEvents events) {
            boolean leaks = m.getRawReturnType().getPackageName().contains(".internal")
                || m.getRawParameterTypes().stream().anyMatch(t -> t.getPackageName().contains(".internal"));
            if (leaks && m.getOwner().getModifiers().contains(JavaModifier.PUBLIC)) {
              events.add(SimpleConditionEvent.violated(m, m.getFullName() + " exposes an internal type"));
            }
          }
        }).check(MAIN);
  }
}
