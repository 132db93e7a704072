package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.ConfigException;
import java.util.regex.Pattern;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed on llm-auth's configuration: the property (or file field) at fault, what is
 * wrong with it and how to fix it, as the library's validation says. Never shows a secret.
 */
final class LlmAuthFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {
  private static final Pattern FIELD_PATH = Pattern.compile("(?<![\\w.])providers(\\.[\\w-]+)+");

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
    String field = cause.field();
    boolean fromProperties = cause.getMessage() != null && cause.getMessage().contains(PropertiesConfig.ORIGIN);
    String where = field == null ? "llm-auth's configuration"
        : fromProperties ? "property " + PropertiesConfig.propertyName(field)
        : "field " + field + " of the file named by llmauth.config";
    String message = String.valueOf(cause.getMessage());
    if (fromProperties) {
      // The parser names fields by their path in a file; here they are properties.
      message = FIELD_PATH.matcher(message).replaceAll(m -> PropertiesConfig.propertyName(m.group()));
    }
    return new FailureAnalysis("llm-auth could not start: " + where + " is invalid: " + message,
        field == null ? "Fix the llm-auth configuration as the message says."
            : "Fix " + (fromProperties ? PropertiesConfig.propertyName(field) : field)
                + " as the message says; see docs/configuration.md for every field.",
        cause);
  }
}
