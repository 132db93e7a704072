package dev.llmauth.api.config;

import org.jspecify.annotations.Nullable;

/**
 * Entra ID through a managed identity. With no selector it is the system-assigned identity; at most one of
 * {@code clientId}, {@code objectId} and {@code resourceId} selects a user-assigned one.
 *
 * @param clientId the user-assigned identity's client id, or {@code null}
 * @param objectId the user-assigned identity's object (principal) id, or {@code null}
 * @param resourceId the user-assigned identity's Azure resource id, or {@code null}
 * @param scope the scope to request, {@value #DEFAULT_SCOPE} by default
 */
public record ManagedIdentityConfig(
    @Nullable String clientId, @Nullable String objectId, @Nullable String resourceId, String scope) {
  /** The Azure AI / Cognitive Services scope. */
  public static final String DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default";

  /** Treats empty strings as unset: an empty selector as absent, an empty scope as {@value #DEFAULT_SCOPE}. */
  public ManagedIdentityConfig {
    clientId = ProviderConfig.emptyToNull(clientId);
    objectId = ProviderConfig.emptyToNull(objectId);
    resourceId = ProviderConfig.emptyToNull(resourceId);
    scope = scope.isEmpty() ? DEFAULT_SCOPE : scope;
  }

  /** @return the system-assigned identity with the default scope */
  public static ManagedIdentityConfig systemAssigned() {
    return new ManagedIdentityConfig(null, null, null, DEFAULT_SCOPE);
  }

  /** @return whether no user-assigned selector is set */
  public boolean isSystemAssigned() {
    return clientId == null && objectId == null && resourceId == null;
  }
}
