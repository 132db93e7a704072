package dev.llmauth.command;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.CachedCredential;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.ResolutionContext;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code command} method: a credential helper. A provider's {@code command} block names a program and its
 * arguments ({@code "argv"}, run without a shell); what the program prints on stdout is the key or token, as text
 * or as JSON {@code {"token": ..., "expires_in": ...}}. Tokens are kept in the shared {@link TokenCache} like any
 * other: one run serves every concurrent request, a token with an expiry is refreshed ahead of it, a token without
 * one is used for {@code refreshAfter} (5 minutes by default) and then refreshed in the background, and a 401 runs
 * the command again. See {@code docs/command.md}.
 *
 * <p>A {@code command} block claims its provider: when the block is invalid, {@link #availability} still says
 * available (with the error as the detail) and {@link #create} throws the {@link ConfigException}, so a mistake
 * in the block is reported rather than passed over for a later method.
 */
public final class CommandMethod implements CredentialMethod {
  /** The method id, which is also its {@code authMode}. */
  public static final String METHOD = "command";
  /**
   * The position in the resolution order: after the API key (100), before Codex OAuth (200) and Entra (300). A
   * {@code command} block is written for its provider, as an {@code apiKey} is, while a stored sign-in or an Azure
   * identity may be found on the machine without being meant for it.
   */
  public static final int PRIORITY = 110;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public CommandMethod() {}

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(CommandSpec.FIELD);
  }

  /**
   * Parses the {@code command} block.
   *
   * @param provider the provider object
   * @return the spec, or {@code null} when the provider has no {@code command} block
   */
  @Override
  public @Nullable Object parseConfig(ConfigNode provider) {
    return CommandSpec.of(provider);
  }

  @Override
  public Availability availability(ProviderConfig config, ResolutionContext context) {
    CommandSpec spec;
    try {
      spec = config.methodConfig(this, CommandSpec.class);
    } catch (ConfigException e) {
      return Availability.available("the command block is invalid, so this provider fails: " + e.getMessage());
    }
    if (spec == null) {
      return Availability.unavailable("no " + CommandSpec.FIELD + " set (a block such as \"command\": {\"argv\": "
          + "[\"op\", \"read\", \"op://vault/openai/key\"]})");
    }
    return Availability.available(describe(config, spec));
  }

  @Override
  public Credential create(ProviderConfig config, ResolutionContext context) {
    CommandSpec spec = config.methodConfig(this, CommandSpec.class);
    if (spec == null) {
      String path = "providers." + config.name() + "." + CommandSpec.FIELD;
      throw new ConfigException(config.name(), path, "provider '" + config.name() + "', " + path + ": missing; "
          + "authMode command needs a block such as \"command\": {\"argv\": [\"op\", \"read\", "
          + "\"op://vault/openai/key\"]}");
    }
    CommandTokenSource source = new CommandTokenSource(spec, config.name(), context.environment(), context.clock());
    Credential.TokenUse use = spec.sendAs() == CommandSpec.SendAs.API_KEY && config.type() == ProviderType.AZURE_OPENAI
        ? Credential.TokenUse.API_KEY_HEADER
        : Credential.TokenUse.BEARER;
    // A rejected token is dropped, and the next request runs the command again, which may print a new one.
    return CachedCredential.builder(METHOD, context.tokenCache(), source).use(use).description(describe(config, spec))
        .build();
  }

  private static String describe(ProviderConfig config, CommandSpec spec) {
    boolean apiKeyHeader = spec.sendAs() == CommandSpec.SendAs.API_KEY && config.type() == ProviderType.AZURE_OPENAI;
    String dataHeader = config.providerDataHeader();
    return "runs " + spec.program() + " (" + CommandSpec.FIELD + " from " + config.originOf(CommandSpec.FIELD)
        + "), its output sent " + (dataHeader != null ? "in the " + dataHeader + " header as azure_api_key (no "
        + "Authorization)" : apiKeyHeader ? "as api-key header" : "as Authorization: Bearer");
  }

  @Override
  public String toString() {
    return "CommandMethod";
  }
}
