package dev.llmauth.entra;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.CredentialUnavailableException;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tokens from an azure {@code TokenCredential} (the DefaultAzureCredential chain, or one the application
 * bridges). Such a credential cannot be told to bypass a cache of its own, so after a 401 it may return the same
 * token until it refreshes by itself.
 */
final class TokenCredentialSource implements TokenSource {
  private final TokenCredential credential;
  private final String description;
  private final String fix;

  TokenCredentialSource(TokenCredential credential, String description, String fix) {
    this.credential = credential;
    this.description = description;
    this.fix = fix;
  }

  @Override
  public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
    try {
      com.azure.core.credential.AccessToken t =
          credential.getTokenSync(new TokenRequestContext().setScopes(request.scopes()));
      if (t == null || t.getToken() == null || t.getToken().isEmpty() || t.getExpiresAt() == null) {
        throw new TokenException(description + " returned no access token; " + fix, null);
      }
      OffsetDateTime refreshAt = t.getRefreshAt();
      return CompletableFuture.completedFuture(AccessToken.of(Secret.of(t.getToken()), t.getExpiresAt().toInstant(),
          refreshAt == null ? null : refreshAt.toInstant()));
    } catch (TokenException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      Throwable t = AzureSources.unwrap(e);
      boolean unavailable = t instanceof CredentialUnavailableException;
      String what = unavailable ? "no credential in the chain could sign in" : "the token request failed ("
          + t.getClass().getSimpleName() + ")";
      return CompletableFuture.failedFuture(new TokenException(AuthException.TOKEN_UNAVAILABLE, description + ": "
          + what + "; " + fix, unavailable, null, Redacted.of(t, Set.of())));
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public String toString() {
    return "TokenSource[" + description + "]";
  }
}
