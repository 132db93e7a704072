package dev.llmauth.api.config;

/**
 * Entra ID through the DefaultAzureCredential chain (environment, workload identity, managed identity, Azure
 * CLI, …), narrowed with {@code AZURE_TOKEN_CREDENTIALS} as azure-identity documents.
 *
 * @param scope the scope to request, {@value ManagedIdentityConfig#DEFAULT_SCOPE} by default
 */
public record EntraConfig(String scope) {
  /** Treats an empty scope as unset: {@value ManagedIdentityConfig#DEFAULT_SCOPE}. */
  public EntraConfig {
    scope = scope.isEmpty() ? ManagedIdentityConfig.DEFAULT_SCOPE : scope;
  }

  /** @return the chain with the default scope */
  public static EntraConfig defaults() {
    return new EntraConfig(ManagedIdentityConfig.DEFAULT_SCOPE);
  }
}
