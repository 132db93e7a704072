package dev.llmauth.entra;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import java.net.URI;
import java.util.Map;

/**
 * Resolves providers through ServiceLoader (the Entra method among them) and creates an Entra credential without
 * using it, then prints a marker and fetches one token. Run with class-load logging to see what loaded when.
 */
public final class LazyLoadingChild {
  private LazyLoadingChild() {}

  public static void main(String[] args) {
    LlmAuthConfig config = LlmAuthConfig.of(
        ProviderConfig.builder("keyed").set("bearerToken", "static-token").build(),
        ProviderConfig.builder("mi").baseUrl(EntraChild.BASE_URL).set("managedIdentity", java.util.Map.of())
            .build());
    try (LlmAuth auth = LlmAuth.create(config)) {
      System.out.println("OUT explain " + auth.explain("keyed").candidates());
      RequestAuthenticator mi = auth.authenticator("mi");
      System.out.println("OUT resolved " + mi.describe());
      System.out.println("OUT PHASE-TOKEN");
      mi.authorize(OutgoingRequest.of("POST", URI.create("http://127.0.0.1:9/v1/chat/completions"), Map.of()));
      System.out.println("OUT authorized");
    }
    System.exit(0);
  }
}
