package dev.llmauth.api;

import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.internal.ConfigValidator;
import dev.llmauth.api.internal.MethodDiscovery;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: resolves each configured provider to a credential method and hands out {@link
 * RequestAuthenticator}s that share one {@link TokenCache}.
 *
 * <p>Resolution follows the provider's {@code authMode} when set (only that method; if it cannot serve, the
 * error says why); otherwise the first available method in priority order: API key or static bearer token,
 * then a stored Codex sign-in, then Entra ID. Methods are found with {@link java.util.ServiceLoader}: add the
 * artifacts of the methods you use. Resolution reads configuration and the environment only: no token is
 * fetched until the first request.
 *
 * <pre>{@code
 * try (LlmAuth auth = LlmAuth.create(LlmAuthConfig.load(Path.of("llm-auth.jsonc")))) {
 *   RequestAuthenticator openai = auth.authenticator("openai");
 *   // wrap an HTTP client with openai, see the adapters
 * }
 * }</pre>
 */
public final class LlmAuth implements AutoCloseable {
  private static final String NO_PROVIDERS_HINT = "add one of the method artifacts dev.llmauth:auth-apikey, "
      + "dev.llmauth:auth-entra or dev.llmauth:auth-codex-oauth to the class path or module path";

  private final LlmAuthConfig config;
  private final List<CredentialMethod> providers;
  private final @Nullable TokenCache sharedCache;
  private final @Nullable InstantSource cacheClock;
  private volatile @Nullable TokenCache ownCache;
  private final Context context;
  private final Map<String, RequestAuthenticator> authenticators = new ConcurrentHashMap<>();
  private final TokenEvents events = new TokenEvents("llm-auth-token-events");

  private LlmAuth(Builder b) {
    this.config = Objects.requireNonNull(b.config, "config");
    this.providers = b.providers != null ? MethodDiscovery.select(b.providers, null) : MethodDiscovery.load(
        b.classLoader);
    ConfigValidator.warnUnclaimedFields(config, providers);
    this.sharedCache = b.tokenCache;
    this.cacheClock = b.clock;
    this.context = new Context(Map.copyOf(b.environment), b.clock != null ? b.clock : InstantSource.system());
  }

  /**
   * Creates an instance with the methods found on the class path or module path, the process environment and
   * a new token cache.
   *
   * @param config the providers
   * @return the instance
   */
  public static LlmAuth create(LlmAuthConfig config) {
    return builder().config(config).build();
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the configuration */
  public LlmAuthConfig config() {
    return config;
  }

  /**
   * Returns the token cache shared by this instance's credentials. Unless one was given to the builder, it is
   * created on first use, so an application that only uses static keys never builds one.
   *
   * @return the shared token cache
   */
  public TokenCache tokenCache() {
    if (sharedCache != null) {
      return sharedCache;
    }
    TokenCache c = ownCache;
    if (c == null) {
      synchronized (this) {
        c = ownCache;
        if (c == null) {
          TokenCache.Builder b = TokenCache.builder().events(events);
          c = cacheClock != null ? b.clock(cacheClock).build() : b.build();
          ownCache = c;
        }
      }
    }
    return c;
  }

  /**
   * Adds a listener for the token events of this instance's providers: every fetch (started, succeeded, failed),
   * every refresh skipped under backoff, and every credential a server rejected (HTTP 401). Adding a listener
   * creates nothing: no token cache, no fetch.
   *
   * @param listener the listener, called on this instance's event thread, never on a request's
   */
  public void addListener(TokenListener listener) {
    events.add(listener);
  }

  /**
   * Removes a listener added with {@link #addListener}.
   *
   * @param listener the listener
   * @return whether it was registered
   */
  public boolean removeListener(TokenListener listener) {
    return events.remove(listener);
  }

  /** @return the credential methods in use, in priority order */
  public List<CredentialMethod> credentialMethods() {
    return providers;
  }

  /**
   * Returns the authenticator of a provider, resolving its method on first use. No token is fetched here.
   *
   * @param provider the provider's name
   * @return the authenticator, the same instance on every call
   * @throws ConfigException when there is no such provider
   * @throws CredentialNotFoundException when no method can serve it; the message lists each method and why
   */
  public RequestAuthenticator authenticator(String provider) {
    RequestAuthenticator existing = authenticators.get(provider);
    if (existing != null) {
      return existing;
    }
    return authenticators.computeIfAbsent(provider, this::resolve);
  }

  /**
   * Explains how a provider's method is chosen, without creating a credential or fetching a token.
   *
   * @param provider the provider's name
   * @return every method considered and what it said
   * @throws ConfigException when there is no such provider
   */
  public Resolution explain(String provider) {
    return evaluate(config.provider(provider), false);
  }

  /**
   * Asks each method, in order, whether it can serve. Resolution stops at the first that can, so later methods
   * are not even asked (no file read, no class loaded); {@link #explain} asks them all.
   */
  private Resolution evaluate(ProviderConfig pc, boolean stopAtChosen) {
    String pinned = pc.authMode();
    List<Resolution.Candidate> candidates = new ArrayList<>();
    boolean chosen = false;
    for (CredentialMethod p : providers) {
      if (pinned != null && !pins(p, pinned)) {
        candidates.add(new Resolution.Candidate(p.method(), p.priority(), Resolution.Status.SKIPPED,
            "authMode is pinned to " + pinned));
        continue;
      }
      Availability a = availability(p, pc);
      Resolution.Status status = !a.available()
          ? Resolution.Status.SKIPPED
          : chosen ? Resolution.Status.AVAILABLE : Resolution.Status.CHOSEN;
      candidates.add(new Resolution.Candidate(p.method(), p.priority(), status, a.detail()));
      chosen |= a.available();
      if (chosen && stopAtChosen) {
        break;
      }
    }
    return new Resolution(pc.name(), pinned, candidates);
  }

  /** @return whether this instance has created a token cache of its own, for tests */
  boolean createdTokenCache() {
    return ownCache != null;
  }

  /** Closes the token cache if this instance created it, and stops delivering events. */
  @Override
  public void close() {
    TokenCache c = ownCache;
    if (c != null) {
      c.close();
    }
    events.close();
  }

  @Override
  public String toString() {
    return "LlmAuth[providers=" + config.providers().keySet() + ", methods="
        + providers.stream().map(CredentialMethod::method).collect(Collectors.toList()) + "]";
  }

  private RequestAuthenticator resolve(String provider) {
    ProviderConfig pc = config.provider(provider);
    if (providers.isEmpty()) {
      throw new CredentialNotFoundException(new Resolution(provider, pc.authMode(), List.of()), NO_PROVIDERS_HINT);
    }
    String pinned = pc.authMode();
    if (pinned != null && providers.stream().noneMatch(p -> pins(p, pinned))) {
      throw new ConfigException(provider, "providers." + provider + ".authMode", "authMode '" + pinned
          + "' of provider '" + provider + "' needs a method that is not installed; installed: "
          + providers.stream().map(CredentialMethod::authMode).collect(Collectors.joining(", "))
          + ". " + capitalize(NO_PROVIDERS_HINT));
    }
    Resolution resolution = evaluate(pc, true);
    Resolution.Candidate chosen = resolution.chosen().orElseThrow(() -> new CredentialNotFoundException(resolution,
        pinned != null
            ? "authMode pins " + pinned + "; fix that method's settings or remove authMode"
            : "configure one of these methods for provider '" + provider + "'"));
    CredentialMethod p = providers.stream().filter(x -> x.method().equals(chosen.method())).findFirst()
        .orElseThrow();
    Credential credential = TokenCache.creating(new TokenCache.Origin(provider, p.method(), events),
        () -> p.create(pc, context));
    return RequestAuthenticator.of(pc, credential, events);
  }

  private Availability availability(CredentialMethod p, ProviderConfig pc) {
    try {
      return Objects.requireNonNull(p.availability(pc, context), "availability");
    } catch (AuthException e) {
      return Availability.unavailable(e.getMessage());
    } catch (RuntimeException e) {
      return Availability.unavailable("failed to check: " + e.getClass().getSimpleName());
    }
  }

  /** Whether {@code authMode} pins {@code p}: its spelling, or an older one (warned about when loaded). */
  private static boolean pins(CredentialMethod p, String authMode) {
    return authMode.equals(p.authMode()) || p.deprecatedAuthModes().contains(authMode);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private final class Context implements ResolutionContext {
    private final Map<String, String> environment;
    private final InstantSource clock;

    Context(Map<String, String> environment, InstantSource clock) {
      this.environment = environment;
      this.clock = clock;
    }

    @Override
    public TokenCache tokenCache() {
      return LlmAuth.this.tokenCache();
    }

    @Override
    public Map<String, String> environment() {
      return environment;
    }

    @Override
    public InstantSource clock() {
      return clock;
    }

    @Override
    public String toString() {
      return "ResolutionContext[" + environment.size() + " environment variables]";
    }
  }

  /** Configures an {@link LlmAuth}. */
  public static final class Builder {
    private @Nullable LlmAuthConfig config;
    private @Nullable List<CredentialMethod> providers;
    private @Nullable TokenCache tokenCache;
    private @Nullable ClassLoader classLoader;
    private Map<String, String> environment = System.getenv();
    private @Nullable InstantSource clock;

    private Builder() {}

    /** @param config the providers (required) @return this builder */
    public Builder config(LlmAuthConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Uses these methods instead of discovering them with {@link java.util.ServiceLoader}.
     *
     * @param providers the methods
     * @return this builder
     */
    public Builder credentialMethods(List<CredentialMethod> providers) {
      this.providers = List.copyOf(providers);
      return this;
    }

    /** @param loader the class loader to discover methods with @return this builder */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = Objects.requireNonNull(loader, "loader");
      return this;
    }

    /**
     * Shares a token cache; it is then not closed by {@link LlmAuth#close()}.
     *
     * @param tokenCache the cache
     * @return this builder
     */
    public Builder tokenCache(TokenCache tokenCache) {
      this.tokenCache = Objects.requireNonNull(tokenCache, "tokenCache");
      return this;
    }

    /** @param environment the environment methods read, instead of the process's @return this builder */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /** @param clock the clock, for the token cache this instance creates @return this builder */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @return the instance */
    public LlmAuth build() {
      return new LlmAuth(this);
    }
  }
}
