package dev.llmauth.conformance.matrix;

import dev.llmauth.conformance.CredentialMethodVerification;
import dev.llmauth.conformance.MethodFixture;
import org.junit.jupiter.api.extension.ExtendWith;

/** The credential-method rules for codex-oauth. */
@ExtendWith(LeakWatch.class)
class CodexOAuthMethodConformanceTest extends CredentialMethodVerification {
  @Override
  protected MethodFixture newFixture() {
    return LeakWatch.watch(new CodexOAuthFixture());
  }
}
