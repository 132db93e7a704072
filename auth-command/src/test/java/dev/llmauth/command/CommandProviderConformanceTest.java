package dev.llmauth.command;

import dev.llmauth.conformance.CredentialProviderVerification;
import dev.llmauth.conformance.MethodFixture;

/** The kit's credential-method rules (C1-C10) for the command method. */
class CommandProviderConformanceTest extends CredentialProviderVerification {
  @Override
  protected MethodFixture newFixture() {
    return new CommandFixture();
  }
}
