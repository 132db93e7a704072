package dev.llmauth.codex.internal;

import com.google.gson.JsonObject;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.config.AuthMode;
import dev.llmauth.api.config.CodexOAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialProvider;
import dev.llmauth.api.spi.ResolutionContext;
import java.io.IOException;
import java.util.function.UnaryOperator;

/**
 * The {@code codex-oauth} method: a ChatGPT sign-in stored in the Codex CLI's {@code auth.json}. Second in the
 * resolution order (priority {@value #PRIORITY}); available when the provider's file holds a sign-in; pinned by
 * {@code "authMode": "codex-oauth"}.
 */
public final class CodexCredentialProvider implements CredentialProvider {
  /** The method id. */
  public static final String METHOD = "codex-oauth";
  /** The position in the resolution order. */
  public static final int PRIORITY = 200;
  /** What a user does to sign in. */
  static final String SIGN_IN = "sign in (`codex login`, or `llm-auth login codex`)";
  /** What a user does when the stored sign-in no longer works. */
  static final String SIGN_IN_AGAIN = "sign in again (`codex login`, or `llm-auth login codex`)";

  private final UnaryOperator<AuthFile> settling;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public CodexCredentialProvider() {
    this(UnaryOperator.identity());
  }

  /**
   * Creates a provider whose files wait for a half-written file differently.
   *
   * @param settling adjusts each file, for example with {@link AuthFile#settling}
   */
  CodexCredentialProvider(UnaryOperator<AuthFile> settling) {
    this.settling = settling;
  }

  private AuthFile file(ProviderConfig config, ResolutionContext context) {
    return settling.apply(AuthFile.resolve(config.codexOAuth(), context::env));
  }

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public String authMode() {
    return AuthMode.CODEX_OAUTH;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    AuthFile file = file(config, context);
    try {
      issuer(config);
    } catch (ConfigException e) {
      return Availability.unavailable(e.getMessage());
    }
    JsonObject root;
    try {
      root = file.read();
    } catch (AuthFile.Unparsable e) {
      // Possibly being written by the Codex CLI: the method stays in the chain, and each request reads it again.
      return Availability.available(e.getMessage() + "; it may be being written by the Codex CLI, so requests "
          + "read it again; if this lasts, " + SIGN_IN_AGAIN);
    } catch (IOException e) {
      return Availability.unavailable("cannot read " + file.path() + " (" + e.getClass().getSimpleName() + "); "
          + "check the file's and its directory's owner and permissions");
    }
    if (root == null) {
      return Availability.unavailable("no sign-in stored at " + file.path() + "; " + SIGN_IN);
    }
    if (!(root.get("tokens") instanceof JsonObject tokens) || Jwt.string(tokens, "access_token") == null) {
      return Availability.unavailable(file.path() + " holds no ChatGPT sign-in; " + SIGN_IN);
    }
    return Availability.available("sign-in stored at " + file.path());
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    CodexOAuthConfig codex = config.codexOAuth() != null ? config.codexOAuth() : CodexOAuthConfig.defaults();
    AuthFile file = file(config, context);
    String originator = codex.originator() != null ? codex.originator() : CodexOAuthConfig.DEFAULT_ORIGINATOR;
    CodexTokenSource source = new CodexTokenSource(file, new OAuthClient(issuer(config), originator), originator,
        context.clock());
    return new CodexCredential(source, context.tokenCache());
  }

  private static String issuer(ProviderConfig config) {
    CodexOAuthConfig codex = config.codexOAuth();
    String issuer = codex != null && codex.issuer() != null ? codex.issuer() : CodexOAuthConfig.DEFAULT_ISSUER;
    try {
      return OAuthClient.checkIssuer(issuer);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(config.name(), "providers." + config.name() + ".codexOAuth.issuer", e.getMessage());
    }
  }
}
