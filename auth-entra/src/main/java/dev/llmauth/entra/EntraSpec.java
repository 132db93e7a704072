package dev.llmauth.entra;

import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.ResolutionContext;
import dev.llmauth.api.spi.TokenRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What an Entra credential would use, worked out from configuration and environment alone: no Azure type appears
 * here, so describing and resolving never loads Azure classes.
 *
 * @param chain whether this is the DefaultAzureCredential chain (else a managed identity)
 * @param selectorField {@code clientId}, {@code objectId} or {@code resourceId}, or {@code null} (system-assigned)
 * @param selectorValue the selector's value, or {@code null}
 * @param scope the scope to request
 * @param environment the non-empty environment variables the source reads (secrets included: never shown)
 * @param timeouts the identity endpoint's timeouts
 */
record EntraSpec(boolean chain, @Nullable String selectorField, @Nullable String selectorValue, String scope,
    Map<String, String> environment, IssuerTimeouts timeouts) {

  /** The variables MSAL4J's managed-identity code reads, from the process environment. */
  static final List<String> MANAGED_IDENTITY_VARIABLES = List.of("IDENTITY_ENDPOINT", "IDENTITY_HEADER",
      "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST");

  EntraSpec {
    environment = Map.copyOf(environment);
  }

  /**
   * Works out the spec for a provider's settings: a managed identity, else the chain (with the default scope when
   * the provider has no settings).
   */
  static EntraSpec of(@Nullable EntraSettings settings, ResolutionContext context) {
    Map<String, String> env = new TreeMap<>();
    if (settings != null && settings.managedIdentity()) {
      for (String name : MANAGED_IDENTITY_VARIABLES) {
        String v = context.env(name);
        if (v != null) {
          env.put(name, v);
        }
      }
      return new EntraSpec(false, settings.selectorField(), settings.selectorValue(), settings.scope(), env,
          settings.timeouts());
    }
    context.environment().forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        env.put(k, v);
      }
    });
    return new EntraSpec(true, null, null, settings == null ? EntraSettings.DEFAULT_SCOPE : settings.scope(), env,
        settings == null ? EntraSettings.DEFAULT_TIMEOUTS : settings.timeouts());
  }

  /** @return the scope without a trailing {@code /.default}: the resource a managed-identity endpoint takes */
  String resource() {
    return scope.endsWith("/.default") ? scope.substring(0, scope.length() - "/.default".length()) : scope;
  }

  /** @return the cache request: the scope and the user-assigned selector */
  TokenRequest tokenRequest() {
    return new TokenRequest(List.of(scope), selectorField == null ? null : selectorField + "=" + selectorValue);
  }

  @Nullable String env(String name) {
    return environment.get(name);
  }

  /** @return the managed-identity source the environment selects, as MSAL4J decides it */
  String identitySource() {
    if (env("IDENTITY_ENDPOINT") != null && env("IDENTITY_HEADER") != null) {
      return env("IDENTITY_SERVER_THUMBPRINT") != null ? "Service Fabric" : "App Service";
    }
    if (env("MSI_ENDPOINT") != null) {
      return "Cloud Shell";
    }
    if (env("IDENTITY_ENDPOINT") != null && env("IMDS_ENDPOINT") != null) {
      return "Azure Arc";
    }
    return "IMDS";
  }

  /** @return where the identity source is reached, never a secret */
  String endpoint() {
    return switch (identitySource()) {
      case "App Service", "Service Fabric", "Azure Arc" -> String.valueOf(env("IDENTITY_ENDPOINT"));
      case "Cloud Shell" -> String.valueOf(env("MSI_ENDPOINT"));
      default -> env("AZURE_POD_IDENTITY_AUTHORITY_HOST") != null
          ? env("AZURE_POD_IDENTITY_AUTHORITY_HOST") + " (AZURE_POD_IDENTITY_AUTHORITY_HOST)"
          : "http://169.254.169.254";
    };
  }

  /** @return the chain's narrowing, the value of {@code AZURE_TOKEN_CREDENTIALS}, or {@code null} */
  @Nullable String narrowing() {
    return env("AZURE_TOKEN_CREDENTIALS");
  }

  /** @return whether the chain may try a managed identity, which reads the process environment */
  boolean mayUseManagedIdentity() {
    if (!chain) {
      return true;
    }
    String n = narrowing();
    return n == null || List.of("prod", "managedidentitycredential").contains(n.trim().toLowerCase(Locale.ROOT));
  }

  /** @return for example {@code managed identity (user-assigned by clientId) via App Service} */
  String describe() {
    String what;
    if (chain) {
      String n = narrowing();
      what = "DefaultAzureCredential" + (n == null ? "" : " narrowed to " + n + " by AZURE_TOKEN_CREDENTIALS");
    } else {
      what = "managed identity (" + (selectorField == null ? "system-assigned" : "user-assigned by " + selectorField)
          + ") via " + identitySource();
    }
    return what + (scope.equals(EntraSettings.DEFAULT_SCOPE) ? "" : " for scope " + scope);
  }

  /** Shows the description only: the environment holds secrets. */
  @Override
  public String toString() {
    return "EntraSpec[" + describe() + "]";
  }
}
