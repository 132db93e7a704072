package dev.llmauth.codex;

import com.google.gson.JsonObject;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenRequest;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The {@code codex-oauth} method: a ChatGPT sign-in stored in the Codex CLI's {@code auth.json}. Second in the
 * resolution order (priority {@value #PRIORITY}); available when the provider's file holds a sign-in; pinned by
 * {@code "authMode": "codex-oauth"}. It owns the provider field {@code codexOAuth} ({@link CodexOAuthSettings}:
 * {@code authFile}, {@code issuer}, {@code originator}, {@code connectTimeout}, {@code timeout}).
 *
 * <p>Applications do not call this class: {@link java.util.ServiceLoader} finds it (through {@code provides} in
 * the module descriptor and {@code META-INF/services} on the class path), and {@code LlmAuth} uses it.
 */
public final class CodexOAuthMethod implements CredentialMethod {
  /** The method id. */
  public static final String METHOD = "codex-oauth";
  /** The {@code authMode} value that pins this method. */
  public static final String AUTH_MODE = "codex-oauth";
  /** The position in the resolution order. */
  public static final int PRIORITY = 200;
  /** What a user does to sign in. */
  static final String SIGN_IN = "sign in (`codex login`, or `llm-auth login codex`)";
  /** What a user does when the stored sign-in no longer works. */
  static final String SIGN_IN_AGAIN = "sign in again (`codex login`, or `llm-auth login codex`)";

  private final UnaryOperator<AuthFile> settling;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public CodexOAuthMethod() {
    this(UnaryOperator.identity());
  }

  /**
   * Creates a provider whose files wait for a half-written file differently.
   *
   * @param settling adjusts each file, for example with {@link AuthFile#settling}
   */
  CodexOAuthMethod(UnaryOperator<AuthFile> settling) {
    this.settling = settling;
  }

  private AuthFile file(ProviderConfig config, ResolutionContext context) {
    return settling.apply(AuthFile.resolve(settings(config), context::env));
  }

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public String authMode() {
    return AUTH_MODE;
  }

  @Override
  public Set<String> deprecatedAuthModes() {
    return Set.of("codexOAuth");
  }

  @Override
  public Set<String> configKeys() {
    return Set.of("codexOAuth");
  }

  @Override
  public @Nullable CodexOAuthSettings parseConfig(ConfigNode provider) {
    ConfigNode block = provider.get("codexOAuth");
    if (block.isMissing()) {
      return null;
    }
    block.object("authFile", "issuer", "originator", IssuerTimeouts.CONNECT_KEY, IssuerTimeouts.EXCHANGE_KEY);
    return new CodexOAuthSettings(block.get("authFile").text(),
        block.get("issuer").httpUrl(CodexOAuthSettings.DEFAULT_ISSUER), block.get("originator").text(),
        CodexOAuthSettings.DEFAULT_TIMEOUTS.read(block));
  }

  private @Nullable CodexOAuthSettings settings(ProviderConfig config) {
    return config.methodConfig(this, CodexOAuthSettings.class);
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
      String keyring = CodexCliConfig.keyringNote(file.path(), false);
      return Availability.unavailable("no sign-in stored at " + file.path() + "; "
          + (keyring != null ? keyring : SIGN_IN));
    }
    String note = CodexCliConfig.keyringNote(file.path(), true);
    if (!(root.get("tokens") instanceof JsonObject tokens) || Jwt.string(tokens, "access_token") == null) {
      return Availability.unavailable(file.path() + " holds no ChatGPT sign-in; " + (note != null ? note : SIGN_IN));
    }
    StringBuilder detail = new StringBuilder("sign-in stored at " + file.path());
    if (note != null) {
      detail.append("; ").append(note);
    }
    for (String warning : file.exposure()) {
      detail.append("; ").append(warning);
    }
    return Availability.available(detail.toString());
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    CodexOAuthSettings parsed = settings(config);
    CodexOAuthSettings codex = parsed != null ? parsed : CodexOAuthSettings.defaults();
    AuthFile file = file(config, context);
    String originator = codex.originatorOrDefault();
    CodexTokenSource source = new CodexTokenSource(file, new OAuthClient(issuer(config), originator,
        codex.timeouts()), originator, context.clock());
    return credential(source, context.tokenCache());
  }

  /**
   * The credential of a source: its tokens come through the shared cache, keyed by the source and the file; a token
   * the server rejected is remembered by the source, so that a fetch after the rejection does not hand it out
   * again from the file.
   */
  static Credential credential(CodexTokenSource source, TokenCache cache) {
    return CachedCredential.builder(METHOD, cache, source)
        .request(new TokenRequest(List.of(), source.file().path().toString()))
        .onRejected(source::rejected)
        .build();
  }

  private String issuer(ProviderConfig config) {
    CodexOAuthSettings codex = settings(config);
    String issuer = codex != null && codex.issuer() != null ? codex.issuer() : CodexOAuthSettings.DEFAULT_ISSUER;
    try {
      return OAuthClient.checkIssuer(issuer);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(config.name(), "providers." + config.name() + ".codexOAuth.issuer", e.getMessage());
    }
  }
}
