package dev.llmauth.benchmarks;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * An application that resolves one provider through {@link LlmAuth} (which discovers every credential method on the
 * class path), authorizes one request and sends it with {@code java.net.http}. {@link StartupRun} starts it in a
 * fresh JVM and counts the classes it loads.
 *
 * <p>Arguments: the base URL of a loopback server, the API key to send, and the mode: {@code llmauth} (an OpenAI
 * provider with that API key), {@code bare} (the same header set by hand without llm-auth, the baseline), {@code
 * entra} (an Azure OpenAI provider with a system-assigned managed identity, the key unused), {@code entra-chain} (the
 * configuration file given as a fourth argument, read with {@link LlmAuthConfig#load(java.nio.file.Path)}, whose
 * provider has {@code "entra": {}}: the DefaultAzureCredential chain) or {@code azure} (no llm-auth: azure-identity's
 * own {@code DefaultAzureCredential} and {@code getTokenSync}, the header set by hand). For the Entra modes the JVM's
 * environment must point {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} at a loopback identity server; for
 * the chain it also narrows it with {@code AZURE_TOKEN_CREDENTIALS} and picks the transport with {@code
 * AZURE_HTTP_CLIENT_IMPLEMENTATION}.
 */
public final class StartupProbe {
  private StartupProbe() {}

  /**
   * Sends one authenticated request and exits with 0 when the server accepted it.
   *
   * @param args the loopback base URL, the key and the mode
   * @throws IOException when the request fails
   * @throws InterruptedException when interrupted
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    String baseUrl = args[0];
    URI uri = URI.create(baseUrl + "/chat/completions");
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}"));
    if ("bare".equals(args[2])) {
      request.setHeader("Authorization", "Bearer " + args[1]);
      System.exit(send(request));
    }
    if ("azure".equals(args[2])) {
      com.azure.core.credential.AccessToken token = new com.azure.identity.DefaultAzureCredentialBuilder().build()
          .getTokenSync(new com.azure.core.credential.TokenRequestContext().addScopes("https://cognitiveservices.azure.com/.default"));
      request.setHeader("Authorization", "Bearer " + token.getToken());
      System.exit(send(request));
    }
    if ("entra-chain".equals(args[2])) {
      LlmAuthConfig config = LlmAuthConfig.load(java.nio.file.Path.of(args[3]));
      try (LlmAuth auth = LlmAuth.create(config)) {
        Authorization authorization = auth.authenticator("azure").authorize(OutgoingRequest.of("POST", uri, Map.of()));
        authorization.forEachHeader(request::setHeader);
        System.exit(send(request));
      }
    }
    boolean entra = "entra".equals(args[2]);
    ProviderConfig provider = entra
        ? ProviderConfig.builder("azure")
            .type(ProviderType.AZURE_OPENAI)
            .baseUrl(baseUrl)
            .set("managedIdentity", java.util.Map.of())
            .build()
        : ProviderConfig.builder("openai")
            .type(ProviderType.OPENAI)
            .baseUrl(baseUrl)
            .set("apiKey", args[1])
            .build();
    LlmAuth.Builder builder = LlmAuth.builder().config(LlmAuthConfig.of(provider));
    if (!entra) {
      builder.environment(Map.of());
    }
    try (LlmAuth auth = builder.build()) {
      Authorization authorization = auth.authenticator(provider.name())
          .authorize(OutgoingRequest.of("POST", uri, Map.of()));
      authorization.forEachHeader(request::setHeader);
      System.exit(send(request));
    }
  }

  private static int send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<Void> response = HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.discarding());
    return response.statusCode() == 200 ? 0 : 1;
  }
}
