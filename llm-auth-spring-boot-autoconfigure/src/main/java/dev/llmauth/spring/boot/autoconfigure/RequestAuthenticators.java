package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import java.util.Objects;
import java.util.Set;

/**
 * The authenticators of the configured providers, by name: inject this bean and ask for the provider you call.
 *
 * <pre>{@code
 * RestClient client = RestClient.builder().baseUrl(url)
 *     .requestInterceptor(new LlmAuthClientHttpRequestInterceptor(authenticators.get("azure"))).build();
 * }</pre>
 */
public final class RequestAuthenticators {
  private final LlmAuth auth;

  /**
   * Creates the registry.
   *
   * @param auth the instance whose providers it serves
   */
  public RequestAuthenticators(LlmAuth auth) {
    this.auth = Objects.requireNonNull(auth, "auth");
  }

  /**
   * Returns a provider's authenticator, resolving its method on first use; no token is fetched.
   *
   * @param provider the provider's name
   * @return the authenticator
   * @throws dev.llmauth.api.ConfigException when there is no such provider (the message lists the known ones)
   * @throws dev.llmauth.api.CredentialNotFoundException when no method can serve it
   */
  public RequestAuthenticator get(String provider) {
    return auth.authenticator(provider);
  }

  /** @return the names of the configured providers */
  public Set<String> providers() {
    return auth.config().providers().keySet();
  }

  @Override
  public String toString() {
    return "RequestAuthenticators" + providers();
  }
}
