package dev.llmauth.conformance;

import dev.llmauth.api.Secret;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.List;
import java.util.OptionalInt;

/**
 * The hooks a token source supplies to {@link TokenSourceVerification}: the source, a request it serves, and
 * control over its issuer. A fixture serves one test.
 */
public interface TokenSourceFixture extends AutoCloseable {
  /** @return the source under test */
  TokenSource source();

  /** @return a request the source serves */
  TokenRequest request();

  /** @return the number of calls that reached the issuer so far, or empty when they cannot be counted */
  OptionalInt issuerCalls();

  /**
   * Makes every later issuer call fail.
   *
   * @return whether the source has an issuer that can fail
   */
  default boolean failIssuer() {
    return false;
  }

  /** @return secrets the source handles besides the tokens it returns (refresh tokens, identity headers) */
  default List<Secret> secrets() {
    return List.of();
  }

  /** Stops whatever the fixture started. */
  @Override
  default void close() {}
}
