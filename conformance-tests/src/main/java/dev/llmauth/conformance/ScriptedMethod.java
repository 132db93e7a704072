package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.RetryAfter;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The kit's reference method: a bearer token from an in-process issuer behind the {@link
 * dev.llmauth.api.TokenCache}, fully under the test's control. Every fetch issues {@code scripted-token-N}; the
 * issuer can be held, made to fail, made to answer 429 with any {@code Retry-After}, and made to meet any {@link
 * IssuerFault} (as the typed error a careful method reports for it, or for {@link IssuerFault#EXPIRED_TOKEN} a
 * token that has expired). The HTTP adapter suite runs every adapter with it, so that the rules about
 * waiting, sharing and refreshing are exercised even where the methods at hand are static keys.
 *
 * <p>Its provider is not registered with {@link java.util.ServiceLoader}: it exists only inside the suites.
 */
public final class ScriptedMethod implements MethodFixture {
  /** The method id. */
  public static final String METHOD = "scripted";

  private final AtomicInteger fetches = new AtomicInteger();
  private volatile @Nullable CountDownLatch hold;
  private volatile boolean failing;
  private volatile @Nullable IssuerFault fault;
  private volatile @Nullable String retryAfter;
  private volatile @Nullable Secret current;
  private volatile Duration lifetime = Duration.ofHours(1);
  private volatile InstantSource clock = InstantSource.system();

  /** Creates the fixture. */
  public ScriptedMethod() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new Provider();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    // Needs no settings: the provider always serves.
  }

  @Override
  public Secret currentToken() {
    Secret s = current;
    if (s == null) {
      throw new IllegalStateException("no token was issued yet");
    }
    return s;
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.of(fetches.get());
  }

  @Override
  public Runnable holdIssuer() {
    CountDownLatch latch = new CountDownLatch(1);
    hold = latch;
    return latch::countDown;
  }

  @Override
  public boolean failIssuer() {
    failing = true;
    return true;
  }

  @Override
  public boolean injectFault(IssuerFault fault) {
    this.fault = fault;
    return true;
  }

  @Override
  public boolean rateLimitWith(String retryAfter) {
    this.retryAfter = retryAfter;
    return true;
  }

  @Override
  public boolean issueTokensLiving(Duration lifetime, InstantSource clock) {
    this.lifetime = lifetime;
    this.clock = clock;
    return true;
  }

  @Override
  public void clearFaults() {
    fault = null;
    retryAfter = null;
  }

  @Override
  public void close() {
    CountDownLatch latch = hold;
    if (latch != null) {
      latch.countDown();
    }
  }

  private AccessToken issue() throws InterruptedException {
    CountDownLatch latch = hold;
    if (latch != null && !latch.await(1, TimeUnit.MINUTES)) {
      throw new TokenException("the scripted issuer was held for a minute and never released", null);
    }
    if (failing) {
      throw new TokenException("the scripted issuer is failing, as the test asked", null);
    }
    int call = fetches.incrementAndGet();
    String hint = retryAfter;
    if (hint != null) {
      throw new TokenException(TokenException.TOKEN_UNAVAILABLE, "the scripted issuer answered HTTP 429 with "
          + "Retry-After: " + hint, false, RetryAfter.parse(hint, Instant.now()), null);
    }
    IssuerFault f = fault;
    if (f != null) {
      AccessToken expired = answer(f, call);
      if (expired != null) {
        return expired;
      }
    }
    Secret token = Secret.of("scripted-token-" + call);
    current = token;
    return AccessToken.of(token, clock.instant().plus(lifetime));
  }

  /** The scripted issuer's answer under {@code f}: an expired token, or the error a careful method reports. */
  private static AccessToken answer(IssuerFault f, int call) throws TokenException {
    String what = switch (f) {
      case TIMEOUT -> "did not answer within 1 s";
      case RESET -> "closed the connection before answering";
      case RATE_LIMITED -> "answered HTTP 429; it asked to wait " + IssuerFault.RETRY_AFTER.toSeconds() + " s";
      case SERVER_ERROR -> "answered HTTP 503";
      case REJECTED -> "answered HTTP 400 (invalid_grant); sign in again";
      case MALFORMED -> "answered HTTP 200 with a body that is not valid JSON";
      case MISSING_TOKEN -> "answered HTTP 200 without an access_token";
      case HUGE_BODY -> "answered HTTP 200 with a body larger than 1 MiB, the most that is read";
      case TRICKLE -> "gave no complete answer within 1 s";
      case EXPIRED_TOKEN -> null;
    };
    if (what == null) {
      return AccessToken.of(Secret.of("scripted-expired-token-" + call), Instant.now().minus(Duration.ofMinutes(5)));
    }
    throw new TokenException(TokenException.TOKEN_UNAVAILABLE, "the scripted issuer " + what, f.permanent(),
        f == IssuerFault.RATE_LIMITED ? IssuerFault.RETRY_AFTER : null, null);
  }

  private final class Provider implements CredentialMethod {
    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public int priority() {
      return 1000;
    }

    @Override
    public Availability availability(ProviderConfig config, ResolutionContext context) {
      return Availability.available("the scripted issuer of the conformance kit");
    }

    @Override
    public Credential create(ProviderConfig config, ResolutionContext context) {
      TokenSource source = new TokenSource() {
        @Override
        public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
          try {
            return CompletableFuture.completedFuture(issue());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
          } catch (TokenException e) {
            return CompletableFuture.failedFuture(e);
          }
        }

        @Override
        public String describe() {
          return "scripted issuer";
        }
      };
      return CachedCredential.builder(METHOD, context.tokenCache(), source).build();
    }
  }
}
