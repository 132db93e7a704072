package dev.llmauth.conformance;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A static-key method for the kit's self-tests: the provider's {@code staticKey}, as api-key on Azure. */
public final class StaticKeyMethod implements CredentialMethod {
  private static final String FIELD = "staticKey";

  /** Creates the provider. */
  public StaticKeyMethod() {}

  @Override
  public Set<String> configKeys() {
    return Set.of(FIELD);
  }

  @Override
  public Set<String> secretFields() {
    return Set.of(FIELD);
  }

  @Override
  public @Nullable Secret parseConfig(ConfigNode provider) {
    return provider.get(FIELD).secret();
  }

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
    return config.methodConfig(this, Secret.class) != null ? Availability.available(FIELD)
        : Availability.unavailable("no " + FIELD + " set");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    AccessToken token = AccessToken.nonExpiring(java.util.Objects.requireNonNull(config.methodConfig(this,
        Secret.class), FIELD));
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
      provider.set(FIELD, KEY.reveal());
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
