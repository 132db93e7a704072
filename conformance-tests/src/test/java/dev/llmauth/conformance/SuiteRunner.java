package dev.llmauth.conformance;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs a suite class with the JUnit Platform and reports each rule's outcome. */
final class SuiteRunner {
  private SuiteRunner() {}

  /** What one rule (test method) did across its invocations. */
  static final class Outcome {
    final List<String> failures = new ArrayList<>();
    final List<String> skips = new ArrayList<>();
    int passed;

    @Override
    public String toString() {
      return "passed=" + passed + ", failures=" + failures + ", skips=" + skips;
    }
  }

  static Map<String, Outcome> run(Class<?> suite) {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build(),
        new TestExecutionListener() {
          @Override
          public void executionSkipped(TestIdentifier id, String reason) {
            if (id.isTest()) {
              outcome(outcomes, id).skips.add(reason);
            }
          }

          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
              if (result.getStatus() == TestExecutionResult.Status.FAILED && id.getSource().isEmpty()) {
                outcomes.computeIfAbsent("<container>", k -> new Outcome()).failures.add(
                    String.valueOf(result.getThrowable().orElse(null)));
              }
              return;
            }
            Outcome o = outcome(outcomes, id);
            switch (result.getStatus()) {
              case SUCCESSFUL -> o.passed++;
              case ABORTED -> o.skips.add(result.getThrowable().map(Throwable::getMessage).orElse(""));
              case FAILED -> o.failures.add(result.getThrowable().map(String::valueOf).orElse(""));
            }
          }
        });
    return outcomes;
  }

  private static Outcome outcome(Map<String, Outcome> outcomes, TestIdentifier id) {
    String name = id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
        .map(MethodSource::getMethodName).orElse(id.getDisplayName());
    return outcomes.computeIfAbsent(name, k -> new Outcome());
  }
}
