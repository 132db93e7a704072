package dev.llmauth.api.internal;

import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.config.ProviderType;
import dev.llmauth.api.spi.ConfigConflict;
import dev.llmauth.api.spi.ConfigNode;
import dev.llmauth.api.spi.CredentialMethod;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one provider object into a {@link ProviderConfig}, whether it came from a file, the environment or code: the
 * core reads its own fields and checks its rules ({@link ConfigValidator}), then each credential method checks the
 * conflicts it states and parses its own settings ({@link CredentialMethod#parseConfig}).
 */
public final class ProviderAssembler {
  private ProviderAssembler() {}

  /**
   * Assembles and validates one provider.
   *
   * @param node the provider object, {@code ${env:...}} already replaced
   * @param origins where each set top-level field came from
   * @param methods the credential methods that parse their settings
   * @return the provider
   * @throws dev.llmauth.api.ConfigException naming the provider, the field path and the fix; without the
   *     configuration's origin, which the caller adds
   */
  public static ProviderConfig assemble(ConfigNode node, Map<String, String> origins,
      List<CredentialMethod> methods) {
    node.object();
    ConfigNode typeNode = node.get("type");
    String typeId = typeNode.text();
    ProviderType type = typeId == null ? ProviderType.OPENAI : ProviderType.fromId(typeId).orElseThrow(
        () -> typeNode.error("unknown type " + ConfigValidator.shown(typeNode.origin(), typeId), "use one of "
            + ProviderType.allowedIds()));
    Map<String, String> headers = new LinkedHashMap<>();
    ConfigNode headersNode = node.get("headers");
    if (!headersNode.isMissing()) {
      headersNode.object();
      for (String key : headersNode.keys()) {
        String value = headersNode.get(key).text();
        if (value != null) {
          headers.put(key, value);
        }
      }
    }
    Boolean insecure = node.get("allowInsecureHttp").bool();
    Set<String> methodFields = new LinkedHashSet<>();
    Set<String> secretFields = new LinkedHashSet<>();
    for (CredentialMethod m : methods) {
      methodFields.addAll(m.configKeys());
      secretFields.addAll(m.secretFields());
    }
    Map<String, String> set = new LinkedHashMap<>();
    origins.forEach((field, origin) -> {
      if (!node.get(field).isUnset() && !(field.equals("headers") && headers.isEmpty())) {
        set.put(field, origin);
      }
    });
    ProviderConfig core = new ProviderConfig(node.provider(), type, node.get("baseUrl").text(),
        node.get("authMode").text(), node.get("providerDataHeader").text(), node.get("providerDataApiBase").text(),
        headers, insecure != null && insecure, node, Map.of(), methodFields, secretFields, set);
    ConfigValidator.validate(core, methods);
    for (CredentialMethod m : methods) {
      for (ConfigConflict c : m.conflicts()) {
        ConfigNode key = node.get(c.key());
        ConfigNode other = node.get(c.other());
        if (!key.isMissing() && !other.isUnset()) {
          throw key.error(c.key() + " cannot be combined with " + c.other() + " (" + other.path() + ")", c.fix());
        }
      }
    }
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (CredentialMethod m : methods) {
      Object spec = m.parseConfig(node);
      if (spec != null) {
        parsed.put(m.method(), spec);
      }
    }
    return new ProviderConfig(core.name(), type, core.baseUrl(), core.authMode(), core.providerDataHeader(),
        core.providerDataApiBase(), headers, core.allowInsecureHttp(), node, parsed, methodFields, secretFields, set);
  }
}
