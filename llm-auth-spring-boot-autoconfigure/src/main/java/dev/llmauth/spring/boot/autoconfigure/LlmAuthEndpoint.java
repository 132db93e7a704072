package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Resolution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code llmauth} actuator endpoint: what {@code llm-auth doctor} prints, for every provider. It shows each
 * method considered (chosen, available or skipped, and why) and never a secret; it fetches nothing.
 */
@Endpoint(id = "llmauth")
public class LlmAuthEndpoint {
  private final LlmAuth auth;

  /**
   * Creates the endpoint.
   *
   * @param auth the instance to explain
   */
  public LlmAuthEndpoint(LlmAuth auth) {
    this.auth = auth;
  }

  /** @return per provider: the pinned {@code authMode}, if any, and every method considered */
  @ReadOperation
  public Map<String, Object> providers() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : auth.config().providerNames()) {
      Map<String, Object> p = new LinkedHashMap<>();
      try {
        Resolution r = auth.explain(name);
        if (r.pinnedAuthMode() != null) {
          p.put("authMode", r.pinnedAuthMode());
        }
        List<Map<String, Object>> methods = new ArrayList<>();
        for (Resolution.Candidate c : r.candidates()) {
          methods.add(Map.of("method", c.method(), "status", c.status().name().toLowerCase(java.util.Locale.ROOT),
              "detail", c.detail()));
        }
        p.put("methods", methods);
      } catch (AuthException e) {
        p.put("error", e.getMessage());
      }
      out.put(name, p);
    }
    return out;
  }
}
