package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.TokenKey;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
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
 * its block {@code "testIssuer": {"label": "...", "password": "..."}}, whose {@code password} is secret.
 */
public class TestMethod implements CredentialMethod {
  enum Fault {
    NONE, UNREGISTERED, BAD_ID, FETCH_ON_AVAILABILITY, ALWAYS_AVAILABLE, FETCH_ON_CREATE, EXPIRED, NO_SHARING,
    FALSE_INVALIDATE, LEAKY_DESCRIBE, THROWS_ON_FAILURE, LENIENT_CONFIG, LEAKY_SETTINGS, REFRESHES_EVERY_REQUEST,
    DUE_AT_ISSUE
  }

  /** The parsed {@code testIssuer} block; its {@code toString()} hides the password unless broken. */
  public record Settings(@org.jspecify.annotations.Nullable String label,
      @org.jspecify.annotations.Nullable String password) {
    @Override
    public String toString() {
      return "Settings[label=" + label + (fault == Fault.LEAKY_SETTINGS ? ", password=" + password : "") + "]";
    }
  }

  static volatile Fault fault = Fault.NONE;
  static volatile Issuer issuer = new Issuer();

  /** Creates the provider. */
  public TestMethod() {}

  @Override
  public String method() {
    return fault == Fault.BAD_ID ? "Test Method" : "test-method";
  }

  @Override
  public int priority() {
    return 950;
  }

  @Override
  public java.util.Set<String> configKeys() {
    return java.util.Set.of("testIssuer");
  }

  @Override
  public java.util.Set<String> secretFields() {
    return java.util.Set.of("testIssuer.password");
  }

  @Override
  public @org.jspecify.annotations.Nullable Settings parseConfig(dev.llmauth.api.spi.ConfigNode provider) {
    dev.llmauth.api.spi.ConfigNode block = provider.get("testIssuer");
    if (block.isMissing()) {
      return null;
    }
    if (fault == Fault.LENIENT_CONFIG) {
      return new Settings(String.valueOf(block.get("label").plain()), String.valueOf(block.get("password").plain()));
    }
    block.object("label", "password");
    return new Settings(block.get("label").text(), block.get("password").text());
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    if (fault == Fault.FETCH_ON_AVAILABILITY) {
      issuer.issue();
    }
    return config.methodConfig(this, Settings.class) != null || fault == Fault.ALWAYS_AVAILABLE
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
        return TestMethod.this.method();
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
        if (fault == Fault.REFRESHES_EVERY_REQUEST) {
          // Fetches ahead by itself on every request instead of leaving refreshes to the cache.
          context.tokenCache().getAsync(key).join();
          context.tokenCache().invalidate(key, context.tokenCache().peek(key));
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
    volatile Duration lifetime = Duration.ofHours(1);
    volatile java.time.InstantSource clock = java.time.InstantSource.system();

    AccessToken issue() {
      if (failing) {
        throw new TokenException("the test issuer is failing", null);
      }
      last = "test-token-" + calls.incrementAndGet();
      Instant now = clock.instant();
      Instant expiry = fault == Fault.EXPIRED ? now.minus(Duration.ofHours(1)) : now.plus(lifetime);
      // DUE_AT_ISSUE: names the moment of issue as the refresh time, so every token is due at once.
      return AccessToken.of(Secret.of(last), expiry, fault == Fault.DUE_AT_ISSUE ? now : null);
    }
  }

  /** The fixture. */
  static final class Fixture implements MethodFixture {
    private final Issuer issuer = new Issuer();

    Fixture() {
      TestMethod.issuer = issuer;
    }

    @Override
    public String method() {
      return "test-method";
    }

    @Override
    public CredentialMethod credentialProvider() {
      return fault == Fault.UNREGISTERED ? new Unregistered() : new TestMethod();
    }

    @Override
    public void configure(ProviderConfig.Builder provider) {
      provider.set("testIssuer", Map.of("label", "on", "password", "fixture-password-0b9d"));
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
    public boolean issueTokensLiving(Duration lifetime, java.time.InstantSource clock) {
      issuer.lifetime = lifetime;
      issuer.clock = clock;
      return true;
    }

    @Override
    public List<Secret> secrets() {
      return issuer.last.isEmpty() ? List.of() : List.of(Secret.of(issuer.last));
    }
  }

  /** The same method, not declared to {@link java.util.ServiceLoader}. */
  public static final class Unregistered extends TestMethod {
    /** Creates the provider. */
    public Unregistered() {}
  }
}
