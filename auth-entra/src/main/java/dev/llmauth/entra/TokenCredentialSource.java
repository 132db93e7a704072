package dev.llmauth.entra;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.CredentialUnavailableException;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Tokens from an azure {@code TokenCredential} (the DefaultAzureCredential chain, or one the application
 * bridges). Such a credential cannot be told to bypass a cache of its own, so after a 401 it may return the same
 * token until it refreshes by itself.
 *
 * <p>The chain is {@link Observed}: its HTTP goes through an {@link IdentityAnswerPolicy}, its calls run on an
 * executor of their own so that the token cache can give up on one, and its failures say what the identity
 * endpoint did. A bridged credential is called on the token cache's thread, as it is.
 */
final class TokenCredentialSource implements TokenSource, Rejecting {
  private final TokenCredential credential;
  private final String description;
  private final String fix;
  private final @Nullable Observed observed;

  /**
   * What the chain's failures are explained and redacted with.
   *
   * @param http the policy its HTTP goes through
   * @param secrets the environment's secrets, cut out of third-party messages
   * @param executor where its calls run
   */
  record Observed(IdentityAnswerPolicy http, Set<String> secrets, Executor executor) {}

  TokenCredentialSource(TokenCredential credential, String description, String fix, @Nullable Observed observed) {
    this.credential = credential;
    this.description = description;
    this.fix = fix;
    this.observed = observed;
  }

  @Override
  public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
    Observed o = observed;
    if (o == null) {
      try {
        return CompletableFuture.completedFuture(get(request));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    o.http().startFetch();
    CompletableFuture<AccessToken> token = CompletableFuture.supplyAsync(() -> get(request), o.executor());
    token.whenComplete((t, failure) -> {
      if (AzureSources.givenUp(failure)) {
        o.http().cancel();
      }
    });
    return token;
  }

  private AccessToken get(TokenRequest request) {
    com.azure.core.credential.AccessToken t;
    try {
      t = credential.getTokenSync(new TokenRequestContext().setScopes(request.scopes()));
    } catch (RuntimeException e) {
      throw failure(e);
    }
    if (t == null || t.getToken() == null || t.getToken().isEmpty() || t.getExpiresAt() == null) {
      throw new TokenException(description + " returned no access token; " + fix, null);
    }
    OffsetDateTime refreshAt = t.getRefreshAt();
    return AccessToken.of(Secret.of(t.getToken()), t.getExpiresAt().toInstant(),
        refreshAt == null ? null : refreshAt.toInstant());
  }

  private TokenException failure(RuntimeException e) {
    Throwable t = Futures.unwrap(e);
    if (t instanceof TokenException te) {
      return te;
    }
    Observed o = observed;
    IOException error = o == null ? null : o.http().lastError;
    String problem = o == null ? null : o.http().problem;
    boolean unavailable = t instanceof CredentialUnavailableException;
    int status = o == null ? 0 : o.http().lastStatus;
    Duration retryAfter = null;
    boolean permanent = false;
    String what;
    if (error instanceof HttpTimeoutException) {
      what = "the identity endpoint gave no complete answer within " + AzureSources.seconds(o.http().deadline());
    } else if (error instanceof AzureSources.IdentityHttpClient.TooLarge) {
      what = "the identity endpoint's answer is larger than " + AzureSources.IdentityHttpClient.MAX_BODY_BYTES
          + " bytes, so it is not a token answer";
    } else if (error != null) {
      what = "the connection to the identity endpoint failed without an answer (" + error.getClass().getSimpleName()
          + ")";
    } else if (status >= 400) {
      // MSAL's managed-identity errors carry no status; the last answer is the one it gave up on.
      what = "the identity endpoint answered HTTP " + status;
      permanent = status == 400 || status == 401 || status == 403;
      retryAfter = o.http().lastRetryAfter;
    } else if (problem != null) {
      what = "the identity endpoint's answer " + problem;
    } else if (unavailable) {
      what = "no credential in the chain could sign in";
      permanent = true;
    } else {
      what = "the token request failed (" + t.getClass().getSimpleName() + ")";
    }
    // A 200 that MSAL could not use is quoted in its messages, token and all: keep only the class names then.
    Throwable cause = o != null && o.http().sawTokenAnswer ? Redacted.withoutMessages(t)
        : Redacted.of(t, o == null ? Set.of() : o.secrets());
    return new TokenException(AuthException.TOKEN_UNAVAILABLE, description + ": " + what + "; " + fix, permanent,
        retryAfter, cause);
  }

  /**
   * An azure {@code TokenCredential} cannot be told to bypass its cache (azure-identity 1.19 asks MSAL4J for a
   * managed-identity token with {@code ManagedIdentityParameters.builder(resource).build()}, no force-refresh, in
   * {@code IdentityClient.getTokenFromMsalMIClient}), and MSAL4J keeps managed-identity tokens in one cache per
   * process, {@code ManagedIdentityApplication.getSharedTokenCache()}. So a rejected token is marked expired there:
   * the next fetch then reaches the identity endpoint.
   */
  @Override
  public void rejected(Secret token) {
    com.microsoft.aad.msal4j.TokenCache shared = com.microsoft.aad.msal4j.ManagedIdentityApplication
        .getSharedTokenCache();
    if (shared == null) {
      return;
    }
    try {
      Object all;
      try (com.azure.json.JsonReader reader = com.azure.json.JsonProviders.createReader(shared.serialize())) {
        all = reader.readUntyped();
      }
      if (!(all instanceof Map<?, ?> sections) || !(sections.get("AccessToken") instanceof Map<?, ?> entries)) {
        return;
      }
      Map<String, Object> expired = new LinkedHashMap<>();
      entries.forEach((k, v) -> {
        if (v instanceof Map<?, ?> entry && token.reveal().equals(entry.get("secret"))) {
          Map<String, Object> copy = new LinkedHashMap<>();
          entry.forEach((field, value) -> copy.put(String.valueOf(field), value));
          copy.put("expires_on", "0");
          copy.put("extended_expires_on", "0");
          copy.remove("refresh_on");
          expired.put(String.valueOf(k), copy);
        }
      });
      if (expired.isEmpty()) {
        return;
      }
      java.io.StringWriter out = new java.io.StringWriter();
      try (com.azure.json.JsonWriter writer = com.azure.json.JsonProviders.createWriter(out)) {
        writer.writeUntyped(Map.of("AccessToken", expired)).flush();
      }
      // deserialize puts the entries it reads over those with the same keys
      shared.deserialize(out.toString());
    } catch (IOException | RuntimeException e) {
      // The cache format is MSAL's own; if it changed, the next token may be the rejected one again.
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
