package dev.llmauth.conformance.matrix;

import dev.llmauth.conformance.CredentialProviderVerification;
import dev.llmauth.conformance.MethodFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/** The credential-method rules for entra, with a managed identity through MSAL4J. */
@ExtendWith(LeakWatch.class)
class EntraProviderConformanceTest extends CredentialProviderVerification {
  @Override
  protected MethodFixture newFixture() {
    return LeakWatch.watch(new EntraFixture());
  }
}
