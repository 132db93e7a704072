package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.conformance.MethodFixture;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token events of every credential method carry no secret: a listener that logs each event, as an application
 * would, is watched by {@link LeakWatch}, and every field of every event is searched for the fixture's secrets
 * and the tokens it issued.
 */
@ExtendWith(LeakWatch.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a performance assertion
class TokenEventSecretsTest {
  private static final System.Logger LOG = System.getLogger("dev.llmauth.events");
  private static final OutgoingRequest REQUEST = OutgoingRequest.of("POST",
      URI.create("http://127.0.0.1:9/v1/chat/completions"), Map.of());

  static Stream<Named<Supplier<MethodFixture>>> methods() {
    return Methods.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void eventsCarryNoSecret(Supplier<MethodFixture> factory) throws Exception {
    LinkedBlockingQueue<TokenEvent> events = new LinkedBlockingQueue<>();
    List<Secret> secrets = new ArrayList<>();
    try (MethodFixture fixture = factory.get()) {
      ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl("http://127.0.0.1:9/v1");
      fixture.configure(b);
      try (LlmAuth auth = LlmAuth.builder().config(LlmAuthConfig.of(b.build()))
          .credentialMethods(List.of(fixture.credentialProvider())).environment(fixture.environment()).build()) {
        auth.addListener(e -> {
          LOG.log(System.Logger.Level.INFO, "token event: {0}", e);
          events.add(e);
        });
        RequestAuthenticator a = auth.authenticator("conformance");
        Authorization first = a.authorize(REQUEST);
        secrets.add(fixture.currentToken());
        a.invalidate(first);
        Authorization second = a.authorize(REQUEST);
        secrets.add(fixture.currentToken());
        a.invalidate(second);
        boolean fails = fixture.failIssuer();
        if (fails) {
          try {
            a.authorize(REQUEST);
          } catch (RuntimeException expected) {
            // the failure's event is what this test reads
          }
        }
        secrets.addAll(fixture.secrets());

        List<TokenEvent> seen = new ArrayList<>();
        int rejected = 0;
        boolean failed = false;
        while (rejected < 2 || fails && !failed) {
          TokenEvent e = events.poll(30, TimeUnit.SECONDS);
          assertThat(e).as("the events of both rejections and of the failed fetch arrive").isNotNull();
          seen.add(e);
          rejected += e instanceof TokenEvent.TokenRejected ? 1 : 0;
          failed |= e instanceof TokenEvent.FetchFailed;
        }
        if (fixture.fetches().isPresent()) {
          assertThat(seen).as("a fetching method reports its fetches")
              .anyMatch(TokenEvent.FetchSucceeded.class::isInstance);
        }
        seen.addAll(events);
        for (TokenEvent e : seen) {
          assertThat(e.provider()).isEqualTo("conformance");
          for (Secret s : secrets) {
            assertThat(s.occursIn(e.toString())).as("a secret (" + s.fingerprint() + ") in " + e.getClass()
                .getSimpleName() + ".toString()").isFalse();
            for (RecordComponent c : e.getClass().getRecordComponents()) {
              assertThat(s.occursIn(String.valueOf(c.getAccessor().invoke(e))))
                  .as("a secret (" + s.fingerprint() + ") in " + c.getName()).isFalse();
            }
          }
        }
      }
    }
  }
}
