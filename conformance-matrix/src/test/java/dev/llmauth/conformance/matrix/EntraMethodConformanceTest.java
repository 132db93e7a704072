package dev.llmauth.conformance.matrix;

import dev.llmauth.conformance.CredentialMethodVerification;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.matrix.EntraFixture.Path;
import dev.llmauth.conformance.mock.MockIdentityServer.AnswerStyle;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The credential-method rules for entra on both of its paths (a managed identity through MSAL4J, and the
 * DefaultAzureCredential chain narrowed to ManagedIdentityCredential), each against every answer style of the
 * identity server: {@code expires_on} as a string, a number or a date, or only a numeric {@code expires_in}.
 */
class EntraMethodConformanceTest {
  private abstract static class Suite extends CredentialMethodVerification {
    private final Path path;
    private final AnswerStyle style;

    Suite(Path path, AnswerStyle style) {
      this.path = path;
      this.style = style;
    }

    @Override
    protected MethodFixture newFixture() {
      return LeakWatch.watch(new EntraFixture(path, style));
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("managedIdentity, expires_on as a string (Azure)")
  class ManagedIdentityAzure extends Suite {
    ManagedIdentityAzure() {
      super(Path.MANAGED_IDENTITY, AnswerStyle.AZURE);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("managedIdentity, expires_on as a number")
  class ManagedIdentityNumber extends Suite {
    ManagedIdentityNumber() {
      super(Path.MANAGED_IDENTITY, AnswerStyle.EXPIRES_ON_NUMBER);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("managedIdentity, expires_on as an App Service date")
  class ManagedIdentityDate extends Suite {
    ManagedIdentityDate() {
      super(Path.MANAGED_IDENTITY, AnswerStyle.EXPIRES_ON_DATE);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("managedIdentity, only a numeric expires_in (copilot-sdk's harness)")
  class ManagedIdentityExpiresIn extends Suite {
    ManagedIdentityExpiresIn() {
      super(Path.MANAGED_IDENTITY, AnswerStyle.EXPIRES_IN_ONLY);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("entra chain, expires_on as a string (Azure)")
  class ChainAzure extends Suite {
    ChainAzure() {
      super(Path.CHAIN, AnswerStyle.AZURE);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("entra chain, expires_on as a number")
  class ChainNumber extends Suite {
    ChainNumber() {
      super(Path.CHAIN, AnswerStyle.EXPIRES_ON_NUMBER);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("entra chain, expires_on as an App Service date")
  class ChainDate extends Suite {
    ChainDate() {
      super(Path.CHAIN, AnswerStyle.EXPIRES_ON_DATE);
    }
  }

  @Nested
  @ExtendWith(LeakWatch.class)
  @DisplayName("entra chain, only a numeric expires_in (copilot-sdk's harness)")
  class ChainExpiresIn extends Suite {
    ChainExpiresIn() {
      super(Path.CHAIN, AnswerStyle.EXPIRES_IN_ONLY);
    }
  }
}
