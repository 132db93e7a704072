package dev.llmauth.entra;

import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.IssuerTimeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code entra} method's settings of one provider, parsed from its {@code managedIdentity} block (a managed
 * identity: system-assigned, or user-assigned by at most one of {@code clientId}, {@code objectId} and {@code
 * resourceId}) or its {@code entra} block (the DefaultAzureCredential chain). {@code managedIdentity} wins when both
 * are set. Either block may set {@code timeout}, how long one exchange with the identity endpoint may take (20 s by
 * default); {@code managedIdentity} also {@code connectTimeout}, how long connecting may take (5 s by default). See
 * {@link IssuerTimeouts}.
 *
 * @param managedIdentity whether this is a managed identity (else the DefaultAzureCredential chain)
 * @param selectorField {@code clientId}, {@code objectId} or {@code resourceId}, or {@code null} (system-assigned,
 *     or the chain)
 * @param selectorValue the selector's value, or {@code null}
 * @param scope the scope to request, {@value #DEFAULT_SCOPE} by default
 * @param timeouts the identity endpoint's timeouts, {@link #DEFAULT_TIMEOUTS} by default
 */
public record EntraSettings(boolean managedIdentity, @Nullable String selectorField, @Nullable String selectorValue,
    String scope, IssuerTimeouts timeouts) {
  /** The Azure AI / Cognitive Services scope. */
  public static final String DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default";
  /** The identity endpoint's timeouts unless a block sets them: 5 s to connect, 20 s for the whole exchange. */
  public static final IssuerTimeouts DEFAULT_TIMEOUTS = new IssuerTimeouts(Duration.ofSeconds(5),
      Duration.ofSeconds(20));

  static final List<String> SELECTORS = List.of("clientId", "objectId", "resourceId");
  private static final String BASE_URL_EXAMPLE = "https://my-resource.openai.azure.com/openai/v1";

  /** Requires the scope and the timeouts; a selector field goes with a value. */
  public EntraSettings {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(timeouts, "timeouts");
    if ((selectorField == null) != (selectorValue == null)) {
      throw new IllegalArgumentException("a selector needs both its field and its value");
    }
  }

  /**
   * Settings with the {@linkplain #DEFAULT_TIMEOUTS default timeouts}.
   *
   * @param managedIdentity whether this is a managed identity (else the DefaultAzureCredential chain)
   * @param selectorField {@code clientId}, {@code objectId} or {@code resourceId}, or {@code null}
   * @param selectorValue the selector's value, or {@code null}
   * @param scope the scope to request
   */
  public EntraSettings(boolean managedIdentity, @Nullable String selectorField, @Nullable String selectorValue,
      String scope) {
    this(managedIdentity, selectorField, selectorValue, scope, DEFAULT_TIMEOUTS);
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
      mi.object("clientId", "objectId", "resourceId", "scope", IssuerTimeouts.EXCHANGE_KEY,
          IssuerTimeouts.CONNECT_KEY);
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
          scope == null ? DEFAULT_SCOPE : scope, DEFAULT_TIMEOUTS.read(mi));
    }
    if (!chain.isMissing()) {
      // The chain's transport is azure-core's: only the whole exchange's deadline applies to it.
      chain.object("scope", IssuerTimeouts.EXCHANGE_KEY);
      String scope = chain.get("scope").text();
      Duration timeout = chain.get(IssuerTimeouts.EXCHANGE_KEY).duration();
      if (settings == null) {
        settings = new EntraSettings(false, null, null, scope == null ? DEFAULT_SCOPE : scope,
            timeout == null ? DEFAULT_TIMEOUTS : new IssuerTimeouts(DEFAULT_TIMEOUTS.connect(), timeout));
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
