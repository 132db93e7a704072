package dev.llmauth.conformance.matrix;

import dev.llmauth.conformance.CredentialProviderVerification;
import dev.llmauth.conformance.MethodFixture;

/** The credential-method rules for api-key. */
class ApiKeyProviderConformanceTest extends CredentialProviderVerification {
  @Override
  protected MethodFixture newFixture() {
    return new ApiKeyFixture();
  }
}
