package dev.llmauth.entra;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.ConfigConflict;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The {@code entra} method: Microsoft Entra ID tokens from a managed identity ({@code "managedIdentity": {}}, or
 * with {@code clientId}, {@code objectId} or {@code resourceId} for a user-assigned one) or from the
 * DefaultAzureCredential chain ({@code "entra": {}}, also used for {@code type: azure-openai} without a key).
 * Priority {@value #PRIORITY}; pinned by {@code "authMode": "entra"}.
 *
 * <p>Resolution reads configuration and environment only. Azure classes are loaded, and the identity endpoint
 * contacted, on the first request that needs a token; an application that only uses API keys never loads them.
 * Credentials with the same identity, scope and environment share one token source, so the shared token cache
 * fetches once per token lifetime for all of them.
 */
public final class EntraMethod implements CredentialMethod {
  /** The method id. */
  public static final String METHOD = "entra";
  /** The {@code authMode} value that pins this method. */
  public static final String AUTH_MODE = "entra";
  /** The position in the resolution order. */
  public static final int PRIORITY = 300;

  private final Map<EntraSpec, LazySource> sources = new ConcurrentHashMap<>();

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public EntraMethod() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public String authMode() {
    return AUTH_MODE;
  }

  @Override
  public Set<String> configKeys() {
    return Set.of("managedIdentity", "entra");
  }

  @Override
  public List<ConfigConflict> conflicts() {
    return List.of(conflict("apiKey"), conflict("bearerToken"));
  }

  private static ConfigConflict conflict(String other) {
    return new ConfigConflict("managedIdentity", other, "remove " + other + " to authenticate with Entra ID, or "
        + "remove managedIdentity to send the " + other);
  }

  @Override
  public @Nullable EntraSettings parseConfig(ConfigNode provider) {
    return EntraSettings.parse(provider);
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    EntraSettings settings = config.methodConfig(this, EntraSettings.class);
    String why = configuredBy(config, settings);
    if (why == null) {
      return Availability.unavailable("no managedIdentity or entra set, and not type azure-openai without a key");
    }
    if (config.effectiveBaseUrl() == null) {
      return Availability.unavailable("no baseUrl (set providers." + config.name() + ".baseUrl)");
    }
    return Availability.available(EntraSpec.of(settings, context).describe() + " (" + why + ")");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    if (config.effectiveBaseUrl() == null) {
      throw new ConfigException(config.name(), "providers." + config.name() + ".baseUrl", "provider '"
          + config.name() + "' uses Entra ID but has no baseUrl; set baseUrl to the endpoint, for example "
          + "https://<resource>.openai.azure.com/openai/v1");
    }
    EntraSpec spec = EntraSpec.of(config.methodConfig(this, EntraSettings.class), context);
    LazySource source = sources.computeIfAbsent(spec, LazySource::new);
    return credential(context.tokenCache(), source, spec.tokenRequest(), spec.describe());
  }

  /**
   * An Entra credential: tokens come from the shared {@link TokenCache} (refresh ahead, single flight), which asks
   * the source only when needed. A rejected token is dropped from the source's own cache too, and the next fetch is
   * forced past it, so that a replay after a 401 may help.
   */
  static Credential credential(TokenCache cache, TokenSource source, TokenRequest request, String description) {
    CachedCredential.Builder b = CachedCredential.builder(METHOD, cache, source).request(request)
        .description(description);
    if (source instanceof Rejecting r) {
      b.onRejected(token -> r.rejected(token.value()));
    }
    return b.build();
  }

  private static @Nullable String configuredBy(ProviderConfig config, @Nullable EntraSettings settings) {
    if (settings != null) {
      return settings.managedIdentity() ? "managedIdentity is set" : "entra is set";
    }
    if (AUTH_MODE.equals(config.authMode())) {
      return "authMode is entra";
    }
    if (config.type() == ProviderType.AZURE_OPENAI && config.apiKey() == null) {
      return "type azure-openai without apiKey";
    }
    return null;
  }

  /**
   * The token source a credential is keyed by. It holds no Azure type: the Azure-backed source is created on the
   * first fetch, which is when Azure classes load.
   */
  static final class LazySource implements TokenSource, Rejecting {
    private final EntraSpec spec;
    private volatile @Nullable TokenSource delegate;

    LazySource(EntraSpec spec) {
      this.spec = spec;
    }

    @Override
    public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
      TokenSource d;
      try {
        d = delegate();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
      return d.fetch(request, reason);
    }

    @Override
    public void rejected(dev.llmauth.api.Secret token) {
      if (delegate instanceof Rejecting r) {
        r.rejected(token);
      }
    }

    private TokenSource delegate() {
      TokenSource d = delegate;
      if (d == null) {
        synchronized (this) {
          d = delegate;
          if (d == null) {
            d = AzureSources.create(spec);
            delegate = d;
          }
        }
      }
      return d;
    }

    @Override
    public String describe() {
      return spec.describe();
    }

    @Override
    public String toString() {
      return "TokenSource[" + spec.describe() + "]";
    }
  }
}
