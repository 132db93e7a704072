package dev.llmauth.entra;

import dev.llmauth.api.spi.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code entra} method's settings of one provider, parsed from its {@code managedIdentity} block (a managed
 * identity: system-assigned, or user-assigned by at most one of {@code clientId}, {@code objectId} and {@code
 * resourceId}) or its {@code entra} block (the DefaultAzureCredential chain). {@code managedIdentity} wins when both
 * are set.
 *
 * @param managedIdentity whether this is a managed identity (else the DefaultAzureCredential chain)
 * @param selectorField {@code clientId}, {@code objectId} or {@code resourceId}, or {@code null} (system-assigned,
 *     or the chain)
 * @param selectorValue the selector's value, or {@code null}
 * @param scope the scope to request, {@value #DEFAULT_SCOPE} by default
 */
public record EntraSettings(boolean managedIdentity, @Nullable String selectorField, @Nullable String selectorValue,
    String scope) {
  /** The Azure AI / Cognitive Services scope. */
  public static final String DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default";

  static final List<String> SELECTORS = List.of("clientId", "objectId", "resourceId");
  private static final String BASE_URL_EXAMPLE = "https://my-resource.openai.azure.com/openai/v1";

  /** Requires the scope; a selector field goes with a value. */
  public EntraSettings {
    Objects.requireNonNull(scope, "scope");
    if ((selectorField == null) != (selectorValue == null)) {
      throw new IllegalArgumentException("a selector needs both its field and its value");
    }
  }

  /**
   * Parses the provider's {@code managedIdentity} and {@code entra} blocks and checks the method's rules: at most one
   * selector, and a {@code baseUrl} whenever this method is configured or pinned.
   */
  static @Nullable EntraSettings parse(ConfigNode provider) {
    ConfigNode mi = provider.get("managedIdentity");
    ConfigNode chain = provider.get("entra");
    EntraSettings settings = null;
    if (!mi.isMissing()) {
      mi.object("clientId", "objectId", "resourceId", "scope");
      List<String> set = new ArrayList<>();
      for (String selector : SELECTORS) {
        if (mi.get(selector).text() != null) {
          set.add(selector);
        }
      }
      String scope = mi.get("scope").text();
      if (set.size() > 1) {
        throw mi.error("managedIdentity sets " + String.join(" and ", set) + ", but each of clientId, objectId and "
            + "resourceId selects an identity on its own", "keep one of them for a user-assigned identity, or none "
            + "for the system-assigned identity");
      }
      String field = set.isEmpty() ? null : set.get(0);
      settings = new EntraSettings(true, field, field == null ? null : mi.get(field).text(),
          scope == null ? DEFAULT_SCOPE : scope);
    }
    if (!chain.isMissing()) {
      chain.object("scope");
      String scope = chain.get("scope").text();
      if (settings == null) {
        settings = new EntraSettings(false, null, null, scope == null ? DEFAULT_SCOPE : scope);
      }
    }
    if (provider.get("baseUrl").isUnset()) {
      String needs = EntraMethod.AUTH_MODE.equals(provider.get("authMode").text()) ? "authMode entra"
          : !mi.isMissing() ? "managedIdentity"
          : !chain.isMissing() ? "entra"
          : null;
      if (needs != null) {
        throw provider.get("baseUrl").error(needs + " needs a baseUrl", "set baseUrl to the endpoint, such as "
            + BASE_URL_EXAMPLE);
      }
    }
    return settings;
  }
}
