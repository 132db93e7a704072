package dev.llmauth.apikey;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@code api-key} method: a provider's {@code apiKey}, else its static {@code bearerToken} ({@link
 * ApiKeySettings}). First in the resolution order (priority {@value #PRIORITY}); pinned by {@code "authMode":
 * "apiKey"}. Without a configuration file, the {@code apiKey} comes from {@code OPENAI_API_KEY}.
 */
public final class ApiKeyMethod implements CredentialMethod {
  /** The method id. */
  public static final String METHOD = "api-key";
  /** The {@code authMode} value that pins this method. */
  public static final String AUTH_MODE = "apiKey";
  /** The position in the resolution order. */
  public static final int PRIORITY = 100;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public ApiKeyMethod() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public String authMode() {
    return AUTH_MODE;
  }

  @Override
  public Set<String> deprecatedAuthModes() {
    return Set.of(METHOD);
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(ApiKeySettings.API_KEY, ApiKeySettings.BEARER_TOKEN);
  }

  @Override
  public Set<String> secretFields() {
    return Set.of(ApiKeySettings.API_KEY, ApiKeySettings.BEARER_TOKEN);
  }

  @Override
  public Map<String, String> environmentFallback() {
    return Map.of(ApiKeySettings.API_KEY, "OPENAI_API_KEY");
  }

  @Override
  public @Nullable ApiKeySettings parseConfig(ConfigNode provider) {
    return ApiKeySettings.parse(provider);
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    ApiKeySettings settings = config.methodConfig(this, ApiKeySettings.class);
    if (settings != null && settings.apiKey() != null) {
      return Availability.available(describeKey(config));
    }
    if (settings != null && settings.bearerToken() != null) {
      return Availability.available(describeBearer(config));
    }
    return Availability.unavailable("no apiKey or bearerToken set");
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    ApiKeySettings settings = config.methodConfig(this, ApiKeySettings.class);
    Secret apiKey = settings != null ? settings.apiKey() : null;
    Secret bearerToken = settings != null ? settings.bearerToken() : null;
    if (apiKey != null) {
      return new StaticCredential(apiKey, Credential.TokenUse.API_KEY_HEADER, describeKey(config));
    }
    if (bearerToken != null) {
      return new StaticCredential(bearerToken, Credential.TokenUse.BEARER, describeBearer(config));
    }
    throw new IllegalStateException("provider '" + config.name() + "' has neither apiKey nor bearerToken");
  }

  private static String describeKey(ProviderConfig config) {
    return "apiKey from " + config.originOf("apiKey") + " sent " + placement(config,
        config.type().keyPlacement());
  }

  private static String describeBearer(ProviderConfig config) {
    return "static bearerToken from " + config.originOf("bearerToken") + " sent "
        + placement(config, "as Authorization: Bearer");
  }

  /**
   * Where the key goes on a request: inside the provider-data header's JSON object when one is configured (and no
   * {@code Authorization} or key header then), else {@code otherwise}.
   */
  private static String placement(ProviderConfig config, String otherwise) {
    String header = config.providerDataHeader();
    return header == null ? otherwise : "in the " + header + " header as azure_api_key (no Authorization)";
  }

  /** A key that never changes: rejecting it cannot be helped by a replay. */
  private static final class StaticCredential implements Credential {
    private final AccessToken token;
    private final TokenUse use;
    private final String description;

    StaticCredential(Secret secret, TokenUse use, String description) {
      this.token = AccessToken.nonExpiring(secret);
      this.use = use;
      this.description = description;
    }

    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public TokenUse use() {
      return use;
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public CompletableFuture<AccessToken> token() {
      return CompletableFuture.completedFuture(token);
    }

    @Override
    public AccessToken tokenIfReady() {
      return token;
    }

    @Override
    public boolean invalidate(AccessToken rejected) {
      return false;
    }

    @Override
    public String toString() {
      return "StaticCredential[" + description + "]";
    }
  }
}
