/**
 * Microsoft Entra ID without keys: managed identity (through MSAL4J) and the DefaultAzureCredential chain
 * (through azure-identity), with tokens held in the shared {@link dev.llmauth.api.TokenCache}. Configure {@code
 * managedIdentity} or {@code entra} on a provider (or use {@code type: azure-openai} without a key); the method is
 * found through {@link dev.llmauth.api.spi.CredentialMethod}. Nothing from Azure is loaded until the first token
 * is needed. {@link dev.llmauth.entra.AzureTokenCredentials} bridges any azure {@code TokenCredential}.
 */
module dev.llmauth.entra {
  requires transitive dev.llmauth.api;
  requires transitive com.azure.core;
  requires com.azure.identity;
  requires com.microsoft.aad.msal4j;
  requires java.net.http;
  requires static org.jspecify;

  exports dev.llmauth.entra;

  provides dev.llmauth.api.spi.CredentialMethod with dev.llmauth.entra.EntraMethod;
}
