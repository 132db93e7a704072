package dev.llmauth.api.internal;

import dev.llmauth.api.config.ProviderConfig;

/** Checks the rules of the configuration reference on a parsed or built provider. */
public final class ConfigValidator {
  private ConfigValidator() {}

  /**
   * Validates one provider.
   *
   * @param config the provider
   * @throws dev.llmauth.api.ConfigException naming the provider, the field path and the fix
   */
  public static void validate(ProviderConfig config) {
    // IN PROGRESS: the rules of the configuration reference land with the parser.
  }
}
