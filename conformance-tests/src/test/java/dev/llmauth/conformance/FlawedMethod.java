package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The kit's {@link ScriptedMethod} with one deliberate flaw in how its credential reports issuer failures. */
final class FlawedMethod implements MethodFixture {
  /** How the failures are misreported. */
  enum Flaw {
    /** A refusal is reported as transient. */
    REFUSAL_AS_TRANSIENT,
    /** The message quotes the refresh token. */
    LEAKS_REFRESH_TOKEN,
    /** The first failure is kept and returned forever, even after the issuer recovers. */
    KEEPS_THE_FAILURE,
    /** The 429's Retry-After is dropped. */
    DROPS_RETRY_AFTER,
    /** A negative Retry-After is passed on as a negative hint. */
    PASSES_NEGATIVE_RETRY_AFTER,
    /** No deadline for the whole exchange: an answer that trickles in keeps the call waiting. */
    READS_UNTIL_THE_END
  }

  private static final Secret REFRESH = Secret.of("rt-flawed-5e1d0c7a9b3f");
  private final ScriptedMethod scripted = new ScriptedMethod();
  private final Flaw flaw;
  private volatile @Nullable String retryAfter;
  private volatile @Nullable IssuerFault injected;

  FlawedMethod(Flaw flaw) {
    this.flaw = flaw;
  }

  @Override
  public String method() {
    return scripted.method();
  }

  @Override
  public CredentialMethod credentialProvider() {
    CredentialMethod delegate = scripted.credentialProvider();
    return new CredentialMethod() {
      @Override
      public String method() {
        return delegate.method();
      }

      @Override
      public int priority() {
        return delegate.priority();
      }

      @Override
      public Availability availability(ProviderConfig config, ResolutionContext context) {
        return delegate.availability(config, context);
      }

      @Override
      public Credential create(ProviderConfig config, ResolutionContext context) {
        return new Flawed(delegate.create(config, context));
      }
    };
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    scripted.configure(provider);
  }

  @Override
  public Secret currentToken() {
    return scripted.currentToken();
  }

  @Override
  public OptionalInt fetches() {
    return scripted.fetches();
  }

  @Override
  public boolean injectFault(IssuerFault fault) {
    injected = fault;
    return scripted.injectFault(fault);
  }

  @Override
  public boolean rateLimitWith(String retryAfter) {
    this.retryAfter = retryAfter;
    return scripted.rateLimitWith(retryAfter);
  }

  @Override
  public void clearFaults() {
    retryAfter = null;
    scripted.clearFaults();
  }

  @Override
  public List<Secret> secrets() {
    return List.of(REFRESH);
  }

  @Override
  public void close() {
    scripted.close();
  }

  /** The header read as a signed number of seconds, when it is one; else the hint the method had. */
  private @Nullable Duration naive(@Nullable Duration hint) {
    String header = retryAfter;
    try {
      return header == null ? hint : Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException notANumber) {
      return hint;
    }
  }

  private final class Flawed implements Credential {
    private final Credential delegate;
    private final AtomicReference<Throwable> kept = new AtomicReference<>();

    Flawed(Credential delegate) {
      this.delegate = delegate;
    }

    @Override
    public String method() {
      return delegate.method();
    }

    @Override
    public TokenUse use() {
      return delegate.use();
    }

    @Override
    public String describe() {
      return delegate.describe();
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      if (flaw == Flaw.READS_UNTIL_THE_END && injected == IssuerFault.TRICKLE) {
        return new CompletableFuture<>();
      }
      Throwable old = kept.get();
      if (old != null) {
        return CompletableFuture.failedFuture(old);
      }
      return delegate.token().handle((token, error) -> {
        if (error == null) {
          return token;
        }
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(e instanceof TokenException te)) {
          throw new CompletionException(e);
        }
        TokenException worse = switch (flaw) {
          case REFUSAL_AS_TRANSIENT -> new TokenException(te.getMessage(), null);
          case LEAKS_REFRESH_TOKEN -> new TokenException(te.code(), te.getMessage() + " (refresh token "
              + REFRESH.reveal() + ")", te.isPermanent(), te.retryAfter(), null);
          case KEEPS_THE_FAILURE -> {
            kept.set(te);
            yield te;
          }
          case DROPS_RETRY_AFTER -> new TokenException(AuthException.TOKEN_UNAVAILABLE, te.getMessage(),
              te.isPermanent(), null, null);
          case PASSES_NEGATIVE_RETRY_AFTER -> new TokenException(te.code(), te.getMessage(), te.isPermanent(),
              naive(te.retryAfter()), null);
          case READS_UNTIL_THE_END -> te;
        };
        throw new CompletionException(worse);
      });
    }

    @Override
    public boolean invalidate(AccessToken token) {
      return delegate.invalidate(token);
    }
  }
}
