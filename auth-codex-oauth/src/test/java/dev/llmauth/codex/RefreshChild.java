package dev.llmauth.codex;

import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One process of the multi-process refresh test: waits for a go file, authorizes once, prints a fingerprint. */
public final class RefreshChild {
  private RefreshChild() {}

  public static void main(String[] args) throws Exception {
    Path authFile = Path.of(args[0]);
    String issuer = args[1];
    Path go = Path.of(args[2]);
    ProviderConfig provider = ProviderConfig.builder("codex").type(ProviderType.CODEX)
        .baseUrl("http://127.0.0.1:9/backend-api/codex")
        .set("codexOAuth", new CodexOAuthSettings(authFile.toString(), issuer, null).toBlock()).build();
    try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(provider))
        .credentialMethods(List.of(new CodexOAuthMethod())).environment(Map.of()).build()) {
      RequestAuthenticator a = auth.authenticator("codex");
      System.out.println("READY");
      System.out.flush();
      while (!Files.exists(go)) {
        Thread.sleep(5);
      }
      String[] bearer = new String[1];
      a.authorize(OutgoingRequest.of("POST", URI.create("http://127.0.0.1:9/x"), Map.of()))
          .forEachHeader((k, v) -> {
            if (k.equals("Authorization")) {
              bearer[0] = v.substring("Bearer ".length());
            }
          });
      System.out.println("TOKEN " + Secret.of(bearer[0]).fingerprint());
    }
  }
}
