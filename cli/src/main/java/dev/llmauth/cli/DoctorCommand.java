package dev.llmauth.cli;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Resolution;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Explains, per provider, which method is chosen and why every other one was skipped, and lists the providers that
 * cannot be used (an {@code ${env:NAME}} whose variable is not set) with their error. Sends no request.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Show every credential method considered for each provider: chosen or skipped, and why.")
final class DoctorCommand implements Runnable {
  @ParentCommand Cli cli;
  @Mixin ConfigOptions config = new ConfigOptions();

  @Option(names = "--provider", paramLabel = "NAME", description = "Only this provider.")
  @Nullable String provider;

  @Override
  public void run() {
    try (LlmAuth auth = config.open(cli.env)) {
      PrintStream out = cli.out;
      out.println("configuration: " + auth.config().origin());
      List<CredentialMethod> methods = auth.credentialMethods();
      out.println("installed methods: " + (methods.isEmpty() ? "(none)" : String.join(", ",
          methods.stream().map(m -> m.method() + " (" + m.priority() + ")").toList())));
      List<String> names = provider != null ? List.of(provider) : List.copyOf(auth.config().providers().keySet());
      Map<String, ConfigException> broken = provider != null ? Map.of() : auth.config().unresolved();
      if (names.isEmpty() && broken.isEmpty()) {
        out.println("no providers configured");
      }
      boolean unresolved = false;
      for (String name : names) {
        unresolved |= !explain(auth, auth.config().provider(name), out);
      }
      for (Map.Entry<String, ConfigException> b : broken.entrySet()) {
        out.println();
        out.println("provider " + b.getKey() + ": cannot be used, its configuration is incomplete");
        out.println("  error: " + b.getValue().getMessage());
      }
      if (!broken.isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "provider" + (broken.size() == 1 ? " " : "s ")
            + String.join(", ", broken.keySet()) + " cannot be used: " + (broken.size() == 1 ? "its" : "their")
            + " configuration is incomplete (see above); the other providers work");
      }
      if (unresolved) {
        throw new CliException(ExitCodes.NO_CREDENTIAL, "at least one provider has no usable credential method");
      }
    }
  }

  /** Fields printed with their value (redacted) rather than as "set". */
  private static final List<String> SHOWN_APART = List.of("baseUrl", "authMode", "providerDataHeader",
      "providerDataApiBase");

  /** A URL field: redacted, or "set (env ...)" when it came from the environment, with its origin. */
  private static String shown(ProviderConfig pc, String field, @Nullable String url) {
    if (url == null) {
      return "(not set)";
    }
    String shown = pc.shownUrl(field, url);
    return shown.startsWith("set (") ? shown : shown + " (" + pc.originOf(field) + ")";
  }

  private static boolean explain(LlmAuth auth, ProviderConfig pc, PrintStream out) {
    out.println();
    out.println("provider " + pc.name() + " (type " + pc.type().id() + ")");
    out.println("  baseUrl: " + shown(pc, "baseUrl", pc.effectiveBaseUrl()));
    for (Map.Entry<String, String> h : pc.type().defaultHeaders().entrySet()) {
      if (pc.headers().keySet().stream().noneMatch(h.getKey()::equalsIgnoreCase)) {
        out.println("  " + h.getKey() + ": " + h.getValue() + " (type " + pc.type().id() + ", added when the request "
            + "has none)");
      }
    }
    if (pc.authMode() != null) {
      out.println("  authMode: " + pc.authMode() + " (" + pc.originOf("authMode") + ")");
      auth.credentialMethods().stream().filter(m -> m.deprecatedAuthModes().contains(pc.authMode())).findFirst()
          .ifPresent(m -> out.println("  warning: authMode " + pc.authMode() + " is deprecated; write "
              + m.authMode()));
    }
    for (Map.Entry<String, String> o : pc.origins().entrySet()) {
      if (!SHOWN_APART.contains(o.getKey())) {
        out.println("  " + o.getKey() + ": set (" + o.getValue() + ")");
      }
    }
    if (pc.providerDataHeader() != null) {
      out.println("  providerDataHeader: " + pc.providerDataHeader() + " (" + pc.originOf("providerDataHeader")
          + "): the token goes in its JSON object as azure_api_key, no Authorization is sent");
      out.println("  azure_api_base: " + (pc.providerDataApiBase() != null
          ? shown(pc, "providerDataApiBase", pc.providerDataApiBase()) + ", from providerDataApiBase"
          : shown(pc, "baseUrl", pc.effectiveBaseUrl()) + ", the baseUrl, because providerDataApiBase is not set; "
              + "set it to the Azure OpenAI endpoint behind the gateway (Llama Stack ignores the token without a "
              + "valid URL here, and routes by its own configuration)"));
    }
    Resolution r = auth.explain(pc.name());
    for (Resolution.Candidate c : r.candidates()) {
      String status = switch (c.status()) {
        case CHOSEN -> "chosen   ";
        case SKIPPED -> "skipped  ";
        case AVAILABLE -> "available";
      };
      out.printf("  %s %-12s %s%n", status, c.method(), c.detail());
    }
    if (r.chosen().isEmpty()) {
      out.println("  fix: " + (pc.authMode() != null
          ? "authMode pins " + pc.authMode() + "; fix that method's settings above or remove authMode"
          : "configure one of the methods above (see docs/configuration.md)"));
      return false;
    }
    return true;
  }
}
