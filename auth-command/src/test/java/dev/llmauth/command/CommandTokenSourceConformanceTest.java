package dev.llmauth.command;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import dev.llmauth.conformance.TokenSourceFixture;
import dev.llmauth.conformance.TokenSourceVerification;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalInt;

/** The kit's token-source rules (S1-S6) for the source that runs the command. */
class CommandTokenSourceConformanceTest extends TokenSourceVerification {
  @Override
  protected TokenSourceFixture newFixture() {
    CommandFixture method = new CommandFixture();
    ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl("http://127.0.0.1:9/v1");
    method.configure(b);
    CommandSpec spec = CommandSpec.of(b.build());
    CommandTokenSource source = new CommandTokenSource(spec, "conformance", method.environment(),
        InstantSource.system());
    return new TokenSourceFixture() {
      @Override
      public TokenSource source() {
        return source;
      }

      @Override
      public TokenRequest request() {
        return TokenRequest.none();
      }

      @Override
      public OptionalInt issuerCalls() {
        return method.fetches();
      }

      @Override
      public boolean failIssuer() {
        return method.failIssuer();
      }

      @Override
      public List<Secret> secrets() {
        return method.secrets();
      }

      @Override
      public void close() {
        method.close();
      }
    };
  }
}
