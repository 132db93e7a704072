package com.example.filetoken;

import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.drivers.LlmAuthAdaptersVerification;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/** The kit's adapter and issuer-fault rules with file-token through every llm-auth adapter. */
class FileTokenOverAdaptersConformanceTest extends LlmAuthAdaptersVerification {
  @Override
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return List.of(MethodFixture.named(FileTokenMethod.METHOD, FileTokenFixture::new));
  }
}
