package dev.llmauth.command;

import dev.llmauth.conformance.CredentialMethodVerification;
import dev.llmauth.conformance.MethodFixture;

/** The kit's credential-method rules (C1-C10) for the command method. */
class CommandMethodConformanceTest extends CredentialMethodVerification {
  @Override
  protected MethodFixture newFixture() {
    return new CommandFixture();
  }
}
