package dev.llmauth.spring.boot.autoconfigure;

import dev.llmauth.api.ConfigException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.Resolution;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.TokenListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of one provider, from the same resolution as {@code llm-auth doctor} and the outcome of the last
 * token fetch; it never fetches a token itself. Down when the provider cannot be used (an environment variable it
 * refers to is not set), when no method can serve it or when its last fetch failed; up otherwise. Details: the
 * method chosen (or why each was skipped, or the configuration error) and the last fetch's outcome, never a
 * secret.
 */
final class LlmAuthHealth implements HealthIndicator {
  private final LlmAuth auth;
  private final String provider;
  private final LastFetches last;

  LlmAuthHealth(LlmAuth auth, String provider, LastFetches last) {
    this.auth = auth;
    this.provider = provider;
    this.last = last;
  }

  @Override
  public Health health() {
    Resolution r;
    try {
      r = auth.explain(provider);
    } catch (ConfigException e) {
      // unresolved: an environment variable it refers to is not set (the message names it, never a value)
      return Health.down().withDetail("error", e.getMessage()).build();
    }
    Optional<Resolution.Candidate> chosen = r.chosen();
    Health.Builder h = chosen.isPresent() ? Health.up() : Health.down();
    if (chosen.isPresent()) {
      h.withDetail("method", chosen.get().method()).withDetail("detail", chosen.get().detail());
    } else {
      Map<String, String> skipped = new LinkedHashMap<>();
      r.candidates().forEach(c -> skipped.put(c.method(), c.detail()));
      h.withDetail("error", "no method can serve provider '" + provider + "'").withDetail("methods", skipped);
    }
    TokenEvent event = last.of(provider);
    if (event instanceof TokenEvent.FetchSucceeded ok) {
      h.withDetail("lastFetch", Map.of("outcome", "success", "at", ok.at().toString(), "expiresAt",
          ok.expiresAt().toString()));
    } else if (event instanceof TokenEvent.FetchFailed failed) {
      h.down().withDetail("lastFetch", Map.of("outcome", "failure", "at", failed.at().toString(), "code",
          failed.errorCode(), "permanent", failed.permanent(), "message", failed.message()));
    }
    return h.build();
  }

  /** The last fetch outcome of each provider, kept from the token events. */
  static final class LastFetches implements TokenListener {
    private final Map<String, TokenEvent> last = new ConcurrentHashMap<>();

    @Override
    public void onEvent(TokenEvent event) {
      String p = event.provider();
      if (p != null && (event instanceof TokenEvent.FetchSucceeded || event instanceof TokenEvent.FetchFailed)) {
        last.put(p, event);
      }
    }

    TokenEvent of(String provider) {
      return last.get(provider);
    }
  }
}
