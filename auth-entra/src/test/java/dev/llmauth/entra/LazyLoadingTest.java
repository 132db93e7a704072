package dev.llmauth.entra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.conformance.mock.MockIdentityServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing from Azure loads until the first Entra token is needed. */
class LazyLoadingTest {
  @Test
  void azureClassesLoadOnlyOnTheFirstEntraToken() throws Exception {
    try (MockIdentityServer mock = new MockIdentityServer().start()) {
      ChildJvm.Output out = ChildJvm.run(mock.appServiceEnvironment(), List.of("-Xlog:class+load=info:stdout"),
          LazyLoadingChild.class);
      assertThat(out.exitCode()).as(out.stderr()).isZero();
      int marker = out.lines().indexOf("OUT PHASE-TOKEN");
      assertThat(marker).as("marker printed").isPositive();
      List<String> before = out.lines().subList(0, marker);
      List<String> after = out.lines().subList(marker, out.lines().size());
      assertThat(before).as("Entra method discovered and resolved")
          .anyMatch(l -> l.contains("dev.llmauth.entra.EntraMethod"))
          .anyMatch(l -> l.startsWith("OUT resolved managed identity (system-assigned) via App Service"));
      assertThat(before).as("no Azure class before the first token")
          .noneMatch(l -> l.contains(" com.azure.") || l.contains(" com.microsoft.aad.") || l.contains(" reactor.")
              || l.contains(" io.netty."));
      assertThat(after).as("Azure classes load for the first token")
          .anyMatch(l -> l.contains(" com.microsoft.aad.msal4j.ManagedIdentityApplication "))
          .contains("OUT authorized");
      assertThat(mock.tokenRequests()).hasSize(1);
    }
  }
}
