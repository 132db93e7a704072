package com.example.filetoken;

import dev.llmauth.conformance.CredentialMethodVerification;
import dev.llmauth.conformance.MethodFixture;

/** The kit's credential-method rules (C1-C10) for file-token. */
class FileTokenMethodConformanceTest extends CredentialMethodVerification {
  @Override
  protected MethodFixture newFixture() {
    return new FileTokenFixture();
  }
}
