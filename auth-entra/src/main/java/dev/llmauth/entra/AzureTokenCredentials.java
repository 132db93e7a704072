package dev.llmauth.entra;

import com.azure.core.credential.TokenCredential;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.TokenRequest;
import java.util.Objects;

/**
 * Bridges an azure {@link TokenCredential} (any credential from azure-identity, or your own) into a {@link
 * Credential}, with its tokens held in a {@link TokenCache}. Pass the result to {@link
 * dev.llmauth.api.RequestAuthenticator#of}.
 *
 * <pre>{@code
 * TokenCredential azure = new DefaultAzureCredentialBuilder().build();
 * Credential credential = AzureTokenCredentials.credential(azure, "https://cognitiveservices.azure.com/.default",
 *     auth.tokenCache());
 * RequestAuthenticator authenticator = RequestAuthenticator.of(providerConfig, credential);
 * }</pre>
 *
 * <p>An azure credential cannot be told to bypass its own cache: after a 401 the replay may carry the same token
 * until the credential refreshes it.
 */
public final class AzureTokenCredentials {
  private AzureTokenCredentials() {}

  /**
   * Wraps an azure credential.
   *
   * @param credential the azure credential; called on the token cache's threads, at most once at a time per scope
   * @param scope the scope to request, such as {@code https://cognitiveservices.azure.com/.default}
   * @param cache the token cache, usually {@link dev.llmauth.api.LlmAuth#tokenCache()}
   * @return the credential, with method id {@code entra}
   */
  public static Credential credential(TokenCredential credential, String scope, TokenCache cache) {
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(cache, "cache");
    String description = "azure " + credential.getClass().getSimpleName() + " for scope " + scope;
    TokenCredentialSource source = new TokenCredentialSource(credential, description,
        "check the azure credential's own configuration", null);
    return EntraMethod.credential(cache, source, TokenRequest.forScope(scope), description);
  }
}
