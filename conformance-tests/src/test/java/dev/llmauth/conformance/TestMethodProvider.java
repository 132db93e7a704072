package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialProvider;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fetching method for the kit's self-tests, with switches that break one credential rule each. Configured by
 * the extension field {@code testIssuer}.
 */
public class TestMethodProvider implements CredentialProvider {
  enum Fault {
    NONE, UNREGISTERED, BAD_ID, FETCH_ON_AVAILABILITY, ALWAYS_AVAILABLE, FETCH_ON_CREATE, EXPIRED, NO_SHARING,
    FALSE_INVALIDATE, LEAKY_DESCRIBE, THROWS_ON_FAILURE
  }

  static volatile Fault fault = Fault.NONE;
  static volatile Issuer issuer = new Issuer();

  /** Creates the provider. */
  public TestMethodProvider() {}

  @Override
  public String method() {
    return fault == Fault.BAD_ID ? "Test Method" : "test-method";
  }

  @Override
  public int priority() {
    return 950;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    if (fault == Fault.FETCH_ON_AVAILABILITY) {
      issuer.issue();
    }
    return config.extensions().containsKey("testIssuer") || fault == Fault.ALWAYS_AVAILABLE
        ? Availability.available("the test issuer") : Availability.unavailable("no testIssuer set");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    if (fault == Fault.FETCH_ON_CREATE) {
      issuer.issue();
    }
    Issuer from = issuer;
    TokenSource source = TokenSource.blocking((request, reason) -> from.issue(), "test issuer");
    TokenKey key = TokenKey.of(source, TokenRequest.none());
    return new Credential() {
      @Override
      public String method() {
        return TestMethodProvider.this.method();
      }

      @Override
      public TokenUse use() {
        return TokenUse.BEARER;
      }

      @Override
      public String describe() {
        return fault == Fault.LEAKY_DESCRIBE ? "test issuer, last token " + from.last : "test issuer";
      }

      @Override
      public CompletableFuture<AccessToken> token() {
        if (fault == Fault.NO_SHARING) {
          return CompletableFuture.completedFuture(from.issue());
        }
        if (fault == Fault.THROWS_ON_FAILURE && from.failing) {
          throw new TokenException("the test issuer is failing", null);
        }
        return context.tokenCache().getAsync(key);
      }

      @Override
      public boolean invalidate(AccessToken token) {
        if (fault != Fault.FALSE_INVALIDATE) {
          context.tokenCache().invalidate(key, token);
        }
        return true;
      }
    };
  }

  /** The issuer behind the method. */
  static final class Issuer {
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean failing;
    volatile String last = "";

    AccessToken issue() {
      if (failing) {
        throw new TokenException("the test issuer is failing", null);
      }
      last = "test-token-" + calls.incrementAndGet();
      Instant expiry = fault == Fault.EXPIRED ? Instant.now().minus(Duration.ofHours(1))
          : Instant.now().plus(Duration.ofHours(1));
      return AccessToken.of(Secret.of(last), expiry);
    }
  }

  /** The fixture. */
  static final class Fixture implements MethodFixture {
    private final Issuer issuer = new Issuer();

    Fixture() {
      TestMethodProvider.issuer = issuer;
    }

    @Override
    public String method() {
      return "test-method";
    }

    @Override
    public CredentialProvider credentialProvider() {
      return fault == Fault.UNREGISTERED ? new Unregistered() : new TestMethodProvider();
    }

    @Override
    public void configure(ProviderConfig.Builder provider) {
      provider.extensions(Map.of("testIssuer", "on"));
    }

    @Override
    public Secret currentToken() {
      return Secret.of(issuer.last);
    }

    @Override
    public OptionalInt fetches() {
      return OptionalInt.of(issuer.calls.get());
    }

    @Override
    public boolean failIssuer() {
      issuer.failing = true;
      return true;
    }

    @Override
    public List<Secret> secrets() {
      return issuer.last.isEmpty() ? List.of() : List.of(Secret.of(issuer.last));
    }
  }

  /** The same method, not declared to {@link java.util.ServiceLoader}. */
  public static final class Unregistered extends TestMethodProvider {
    /** Creates the provider. */
    public Unregistered() {}
  }
}
