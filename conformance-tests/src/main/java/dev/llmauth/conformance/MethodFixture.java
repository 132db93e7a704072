package dev.llmauth.conformance;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/**
 * The hooks a credential method supplies to the suites: how to configure a provider that the method serves, its
 * {@link CredentialMethod}, and control over its issuer (if it has one) so that rules about fetching can be
 * counted. A fixture serves one test: the suites create a new one for each and close it afterwards.
 *
 * <p>An issuer is whatever the method fetches tokens from (an identity endpoint, an OAuth server, a file). Its
 * hooks must tell the truth: each issuer call counted by {@link #fetches()} must hand out a token different from
 * all before it. The suites check the hooks against what the server receives and fail with a message that
 * names the hook when they disagree.
 */
public interface MethodFixture extends AutoCloseable {
  /**
   * Names a fixture factory for the parameterised suites.
   *
   * @param name the name shown in reports, such as {@code api-key}
   * @param factory creates a fresh fixture
   * @return the named factory
   */
  static Named<Supplier<MethodFixture>> named(String name, Supplier<MethodFixture> factory) {
    return Named.of(name, factory);
  }

  /** @return the method id the credential reports, such as {@code api-key} */
  String method();

  /** @return the method's provider, as {@link java.util.ServiceLoader} would find it */
  CredentialMethod credentialProvider();

  /**
   * Adds this method's settings to a provider whose name, type and base URL the suite has already set.
   *
   * @param provider the builder
   */
  void configure(ProviderConfig.Builder provider);

  /** @return the environment the method reads (for example mock endpoint addresses); empty by default */
  default Map<String, String> environment() {
    return Map.of();
  }

  /**
   * The token most recently issued, as it goes on the wire (for a static key: the key). Called only after a
   * request was authenticated.
   *
   * @return the token
   */
  Secret currentToken();

  /** @return the number of issuer calls so far, or empty when the method never fetches (a static key) */
  OptionalInt fetches();

  /**
   * Holds every issuer call until the returned action runs, so tests can make requests wait for a token.
   *
   * @return the release action, or {@code null} when the method never waits for a token
   */
  default @org.jspecify.annotations.Nullable Runnable holdIssuer() {
    return null;
  }

  /**
   * Makes every later issuer call fail.
   *
   * @return whether the method has an issuer that can fail
   */
  default boolean failIssuer() {
    return false;
  }

  /**
   * Makes the method's issuer misbehave as {@code fault} says, from now until {@link #clearFaults()}: every issuer
   * call meets the fault. The suite calls it before {@link #configure} and before it creates the credential, so the
   * fixture may shorten the method's own timeouts for {@link IssuerFault#TIMEOUT} (a fault that stalls must outlast
   * them) in the provider's configuration, such as the {@code timeout} of {@link
   * dev.llmauth.api.spi.IssuerTimeouts}. Issuer calls keep being counted by {@link #fetches()}.
   *
   * @param fault the fault
   * @return whether the method has an issuer that can be made to misbehave this way; {@code false} by default (the
   *     rule is then skipped with that reason)
   */
  default boolean injectFault(IssuerFault fault) {
    return false;
  }

  /**
   * Makes the method's issuer answer every token call with HTTP 429 and exactly this {@code Retry-After} header
   * value, from now until {@link #clearFaults()}, for rule F10 ({@link IssuerFault#HOSTILE_RETRY_AFTER}). The
   * suite calls it before it creates the credential. Issuer calls keep being counted by {@link #fetches()}.
   *
   * @param retryAfter the header value, sent as it is
   * @return whether the method has an issuer that can send it; {@code false} by default (the rule is then skipped
   *     with that reason)
   */
  default boolean rateLimitWith(String retryAfter) {
    return false;
  }

  /**
   * Makes the issuer issue tokens that live {@code lifetime} as {@code clock} tells time, from now on, for rule C14:
   * a token issued when {@code clock} reads {@code t} expires at {@code t + lifetime}, and the method reports that
   * expiry. {@code clock} is the clock of the {@link dev.llmauth.api.spi.ResolutionContext} (and of its token cache)
   * that the suite then creates the credential with; the suite moves it forward, so a method that reads time must
   * read it from {@link dev.llmauth.api.spi.ResolutionContext#clock()}, and a mock issuer must compute expiries from
   * it. The suite calls it before it creates the credential. Issuer calls keep being counted by {@link #fetches()}.
   *
   * @param lifetime how long each token lives when it is issued
   * @param clock the clock the suite controls
   * @return whether the issuer can issue such tokens; {@code false} by default (the rule is then skipped with that
   *     reason)
   */
  default boolean issueTokensLiving(Duration lifetime, InstantSource clock) {
    return false;
  }

  /**
   * Ends the fault {@link #injectFault} started: the issuer answers normally again. Where recovering from the fault
   * needs what a user would do (a new sign-in after a refusal), the fixture does that too.
   */
  default void clearFaults() {}

  /**
   * Whether the method's token is an API key ({@link dev.llmauth.api.spi.Credential.TokenUse#API_KEY_HEADER}): sent
   * in the endpoint type's key header and no {@code Authorization}: {@code api-key} on an {@code azure-openai}
   * provider (rule A9), {@code x-api-key} on {@code anthropic} and {@code x-goog-api-key} on {@code gemini} (A15).
   *
   * @return {@code false} by default: bearer tokens
   */
  default boolean sendsApiKeyHeaderOnAzure() {
    return false;
  }

  /** @return other secrets the method handles (refresh tokens, identity headers) that must never be shown */
  default List<Secret> secrets() {
    return List.of();
  }

  /** Stops whatever the fixture started. */
  @Override
  default void close() {}
}
