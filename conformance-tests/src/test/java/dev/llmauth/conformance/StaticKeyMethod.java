package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.concurrent.CompletableFuture;

/** A static-key method for the kit's self-tests: the provider's apiKey, as api-key on Azure. */
public final class StaticKeyMethod implements CredentialMethod {
  /** Creates the provider. */
  public StaticKeyMethod() {}

  @Override
  public String method() {
    return "test-static-key";
  }

  @Override
  public int priority() {
    return 900;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    return config.apiKey() != null ? Availability.available("apiKey") : Availability.unavailable("no apiKey set");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    AccessToken token = AccessToken.nonExpiring(java.util.Objects.requireNonNull(config.apiKey(), "apiKey"));
    Credential.TokenUse use = Credential.TokenUse.API_KEY_HEADER;
    return new Credential() {
      @Override
      public String method() {
        return "test-static-key";
      }

      @Override
      public TokenUse use() {
        return use;
      }

      @Override
      public String describe() {
        return "static test key";
      }

      @Override
      public CompletableFuture<AccessToken> token() {
        return CompletableFuture.completedFuture(token);
      }

      @Override
      public boolean invalidate(AccessToken rejected) {
        return false;
      }
    };
  }

  /** The fixture. */
  static final class Fixture implements MethodFixture {
    static final dev.llmauth.api.Secret KEY = dev.llmauth.api.Secret.of("sk-selftest-static-key-42");

    @Override
    public String method() {
      return "test-static-key";
    }

    @Override
    public CredentialMethod credentialProvider() {
      return new StaticKeyMethod();
    }

    @Override
    public void configure(ProviderConfig.Builder provider) {
      provider.apiKey(KEY);
    }

    @Override
    public dev.llmauth.api.Secret currentToken() {
      return KEY;
    }

    @Override
    public java.util.OptionalInt fetches() {
      return java.util.OptionalInt.empty();
    }

    @Override
    public boolean sendsApiKeyHeaderOnAzure() {
      return true;
    }

    @Override
    public java.util.List<dev.llmauth.api.Secret> secrets() {
      return java.util.List.of(KEY);
    }
  }
}
