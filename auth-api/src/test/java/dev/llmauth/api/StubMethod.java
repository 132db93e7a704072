package dev.llmauth.api;

import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** A credential method for resolver tests: available when its predicate says so. */
class StubMethod implements CredentialMethod {
  final String method;
  final int priority;
  final Predicate<ProviderConfig> available;
  final AtomicInteger created = new AtomicInteger();
  final AtomicInteger tokens = new AtomicInteger();
  final AtomicInteger checked = new AtomicInteger();

  StubMethod(String method, int priority, Predicate<ProviderConfig> available) {
    this.method = method;
    this.priority = priority;
    this.available = available;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    checked.incrementAndGet();
    return available.test(config) ? Availability.available(method + " would serve")
        : Availability.unavailable("no " + method + " configured");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    created.incrementAndGet();
    return new FixedCredential(method + "-token", Credential.TokenUse.BEARER, false) {
      @Override
      public String method() {
        return method;
      }

      @Override
      public java.util.concurrent.CompletableFuture<AccessToken> token() {
        tokens.incrementAndGet();
        return super.token();
      }
    };
  }

  /** Registered in META-INF/services for the discovery test. */
  public static final class Discovered extends StubMethod {
    public Discovered() {
      super("discovered", 900, c -> true);
    }
  }
}
