package dev.llmauth.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.ConfigException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenEvent;
import dev.llmauth.api.TokenListener;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.Availability;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.api.spi.Futures;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite for credential methods: rules C1 to C14 of {@code RULES.md}, one test per rule.
 *
 * <pre>{@code
 * class MyMethodConformanceTest extends CredentialMethodVerification {
 *   @Override
 *   protected MethodFixture newFixture() {
 *     return new MyMethodFixture();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh fixture. Pass the same fixture to {@link HttpAdapterVerification#methods()} to run
 * the adapter rules with your method too.
 */
public abstract class CredentialMethodVerification {
  /** Creates the suite. */
  protected CredentialMethodVerification() {}

  /**
   * Creates a fixture for one test.
   *
   * @return a fresh fixture
   */
  protected abstract MethodFixture newFixture();

  /**
   * Configures a provider that the method cannot serve; by default nothing is added to a provider that has only a
   * name and a base URL.
   *
   * @param provider the builder
   */
  protected void configureUnserved(ProviderConfig.Builder provider) {}

  /** <a href="RULES.md#c1">C1</a>: the provider is found by {@link ServiceLoader}. */
  @Test
  void required_c1_isFoundByServiceLoader() {
    try (Setup s = new Setup(b -> {})) {
      Class<?> type = s.provider.getClass();
      List<String> found = new ArrayList<>();
      for (CredentialMethod p : ServiceLoader.load(CredentialMethod.class, type.getClassLoader())) {
        found.add(p.getClass().getName());
      }
      assertThat(found).as("C1: providers ServiceLoader finds; declare yours in "
          + "META-INF/services/dev.llmauth.api.spi.CredentialMethod and with 'provides' in module-info.java")
          .contains(type.getName());
      assertThat(Modifier.isPublic(type.getModifiers())).as("C1: the provider class must be public").isTrue();
    }
  }

  /** <a href="RULES.md#c2">C2</a>: the method id, authMode and priority are well formed. */
  @Test
  void required_c2_hasAWellFormedIdentity() {
    try (Setup s = new Setup(b -> {})) {
      assertThat(s.provider.method()).as("C2: method id (lower case letters, digits and dashes)")
          .matches("[a-z0-9][a-z0-9-]*");
      assertThat(s.provider.authMode()).as("C2: authMode").isNotBlank();
      assertThat(s.provider.priority()).as("C2: priority").isNotNegative();
      if (!s.fixture.method().equals(s.provider.method())) {
        fail("hook MethodFixture.method() is broken: it says " + s.fixture.method() + " but the provider says "
            + s.provider.method());
      }
    }
  }

  /** <a href="RULES.md#c3">C3</a>: availability says available for a configured provider and fetches nothing. */
  @Test
  void required_c3_availabilityFetchesNothing() {
    try (Setup s = new Setup(b -> {})) {
      Availability a = s.provider.availability(s.config, s.context);
      assertThat(a).as("C3: availability").isNotNull();
      assertThat(a.available()).as("C3: available for a configured provider (" + a.detail() + ")").isTrue();
      assertThat(a.detail()).as("C3: the detail says what would be used").isNotBlank();
      fetchesAre(s, 0, "C3: issuer calls made by availability()");
    }
  }

  /** <a href="RULES.md#c4">C4</a>: a provider the method cannot serve is unavailable, with the reason. */
  @Test
  void required_c4_saysWhyItCannotServe() {
    try (MethodFixture fixture = newFixture(); KitSupport.Context context =
        new KitSupport.Context(fixture.environment())) {
      ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl("http://127.0.0.1:9/v1");
      configureUnserved(b);
      Availability a = fixture.credentialProvider().availability(b.build(), context);
      assertThat(a.available()).as("C4: available for a provider without this method's settings ("
          + a.detail() + ")").isFalse();
      assertThat(a.detail()).as("C4: the reason names what to set").isNotBlank();
      KitSupport.assertNoSecret(a.detail(), fixture.secrets(), "C4: the reason");
    }
  }

  /** <a href="RULES.md#c5">C5</a>: creating the credential fetches nothing. */
  @Test
  void required_c5_creatingFetchesNothing() {
    try (Setup s = new Setup(b -> {})) {
      Credential c = s.create();
      assertThat(c.method()).as("C5: the credential's method").isEqualTo(s.provider.method());
      assertThat(c.use()).as("C5: the credential's token use").isNotNull();
      fetchesAre(s, 0, "C5: issuer calls made by create()");
    }
  }

  /** <a href="RULES.md#c6">C6</a>: the credential hands out a usable token. */
  @Test
  void required_c6_handsOutAUsableToken() throws Exception {
    try (Setup s = new Setup(b -> {})) {
      AccessToken token = get(s.create().token(), "C6");
      assertThat(token.expiresAt()).as("C6: the token's expiry").isAfter(Instant.now());
      if (!token.value().equals(s.fixture.currentToken())) {
        fail("hook MethodFixture.currentToken() is broken, or the credential hands out another token than the "
            + "issuer issued");
      }
      fetchesAre(s, 1, "C6: issuer calls for the first token");
    }
  }

  /** <a href="RULES.md#c7">C7</a>: concurrent callers share one fetch. */
  @Test
  void required_c7_sharesOneFetchAmongConcurrentCallers() throws Exception {
    try (Setup s = new Setup(b -> {})) {
      KitSupport.skipUnless(s.fixture.fetches().isPresent(), () -> "C7 cannot be checked: method "
          + s.provider.method() + " never fetches");
      Credential c = s.create();
      Runnable release = s.fixture.holdIssuer();
      List<CompletableFuture<AccessToken>> calls = new ArrayList<>();
      try {
        for (int i = 0; i < 100; i++) {
          calls.add(c.token());
        }
      } finally {
        if (release != null) {
          release.run();
        }
      }
      for (CompletableFuture<AccessToken> call : calls) {
        get(call, "C7");
      }
      fetchesAre(s, 1, "C7: issuer calls for 100 concurrent token() calls");
    }
  }

  /** <a href="RULES.md#c8">C8</a>: invalidate tells the truth about whether a replay can help. */
  @Test
  void required_c8_invalidateTellsTheTruth() throws Exception {
    try (Setup s = new Setup(b -> {})) {
      Credential c = s.create();
      AccessToken first = get(c.token(), "C8");
      boolean replaceable = c.invalidate(first);
      AccessToken second = get(c.token(), "C8");
      if (replaceable) {
        assertThat(second.value().equals(first.value())).as("C8: invalidate() returned true, so the next token must "
            + "differ from the rejected one").isFalse();
        fetchesAre(s, 2, "C8: issuer calls after one invalidation");
      } else {
        assertThat(s.fixture.fetches()).as("C8: invalidate() returned false, which only a method that never "
            + "fetches (a static key) may say").isEmpty();
      }
    }
  }

  /** <a href="RULES.md#c9">C9</a>: no secret shows in descriptions, {@code toString()} or details. */
  @Test
  void required_c9_neverShowsASecret() throws Exception {
    try (Setup s = new Setup(b -> {})) {
      Credential c = s.create();
      AccessToken token = get(c.token(), "C9");
      List<Secret> secrets = KitSupport.secrets(s.fixture.secrets(), token.value());
      Availability a = s.provider.availability(s.config, s.context);
      KitSupport.assertNoSecret(a.detail(), secrets, "C9: the availability detail");
      KitSupport.assertNoSecret(a.toString(), secrets, "C9: Availability.toString()");
      KitSupport.assertNoSecret(c.describe(), secrets, "C9: Credential.describe()");
      KitSupport.assertNoSecret(c.toString(), secrets, "C9: Credential.toString()");
      KitSupport.assertNoSecret(s.provider.toString(), secrets, "C9: CredentialMethod.toString()");
      KitSupport.assertNoSecret(token.toString(), secrets, "C9: AccessToken.toString()");
      KitSupport.assertNoSecret(String.valueOf(token.headers()), secrets, "C9: the token's extra headers");
    }
  }

  /** <a href="RULES.md#c10">C10</a>: issuer failures arrive as {@link AuthException}s without secrets. */
  @Test
  void required_c10_reportsIssuerFailuresClearly() throws Exception {
    try (Setup s = new Setup(b -> {})) {
      Credential c = s.create();
      KitSupport.skipUnless(s.fixture.failIssuer(), () -> "C10 cannot be checked: method " + s.provider.method()
          + " has no issuer that can fail");
      CompletableFuture<AccessToken> call;
      try {
        call = c.token();
      } catch (RuntimeException e) {
        fail("C10: token() threw " + e + " instead of returning a failed future");
        return;
      }
      try {
        call.get(KitSupport.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        fail("C10: token() succeeded although the issuer fails");
      } catch (TimeoutException e) {
        fail("C10: token() neither succeeded nor failed while the issuer fails");
      } catch (Exception e) {
        Throwable cause = Futures.unwrap(e);
        assertThat(cause).as("C10: the failure (a TokenException says whether retrying helps)")
            .isInstanceOf(AuthException.class);
        assertThat(cause.getMessage()).as("C10: the failure's message").isNotBlank();
        KitSupport.assertNoSecret(cause, s.fixture.secrets(), "C10: the failure");
      }
    }
  }

  /** The field name C11 adds to a method's block; no method defines it. */
  private static final String UNKNOWN_FIELD = "llmAuthKitUnknownField";
  /** The value C13 writes into each secret field. */
  private static final Secret SENTINEL = Secret.of("kit-secret-sentinel-5c1e7a90d4");

  /**
   * <a href="RULES.md#c11">C11</a>: an unknown field inside one of the method's blocks is an error that names its
   * path.
   */
  @Test
  void required_c11_rejectsAnUnknownFieldInItsBlock() {
    try (Setup s = new Setup(b -> {})) {
      Map<String, Object> settings = s.settings();
      List<String> blocks = s.provider.configKeys().stream().filter(k -> settings.get(k) instanceof Map).sorted()
          .toList();
      KitSupport.skipUnless(!blocks.isEmpty(), () -> "C11 cannot be checked: the fixture sets none of "
          + s.provider.method() + "'s configKeys() " + s.provider.configKeys() + " to an object");
      for (String block : blocks) {
        Map<String, Object> changed = new LinkedHashMap<>(settings);
        Map<String, Object> inner = new LinkedHashMap<>(asMap(settings.get(block)));
        inner.put(UNKNOWN_FIELD, "x");
        changed.put(block, inner);
        String path = s.path(block + "." + UNKNOWN_FIELD);
        ConfigException e = s.rejects(changed, "C11: the unknown field " + path);
        assertThat(e.field()).as("C11: the field the error for " + path + " names").isEqualTo(path);
        assertThat(e.getMessage()).as("C11: the error for " + path).contains(path);
      }
    }
  }

  /**
   * <a href="RULES.md#c12">C12</a>: a value of the wrong type in the method's settings is an error that names its
   * path and the type expected.
   */
  @Test
  void required_c12_rejectsAWrongType() {
    try (Setup s = new Setup(b -> {})) {
      Map<String, Object> settings = s.settings();
      List<String> keys = s.provider.configKeys().stream().filter(settings::containsKey).sorted().toList();
      KitSupport.skipUnless(!keys.isEmpty(), () -> "C12 cannot be checked: the fixture sets none of "
          + s.provider.method() + "'s configKeys() " + s.provider.configKeys());
      for (String key : keys) {
        Map<String, Object> changed = new LinkedHashMap<>(settings);
        changed.put(key, wrongType(settings.get(key)));
        wrongTypeIsRejected(s, changed, key);
        if (settings.get(key) instanceof Map<?, ?> block) {
          for (Object member : block.keySet()) {
            Map<String, Object> inner = new LinkedHashMap<>(asMap(block));
            inner.put(String.valueOf(member), wrongType(block.get(member)));
            Map<String, Object> nested = new LinkedHashMap<>(settings);
            nested.put(key, inner);
            wrongTypeIsRejected(s, nested, key + "." + member);
          }
        }
      }
    }
  }

  private static void wrongTypeIsRejected(Setup s, Map<String, Object> settings, String field) {
    String path = s.path(field);
    ConfigException e = s.rejects(settings, "C12: a value of the wrong type in " + path);
    assertThat(e.field()).as("C12: the field the error for " + path + " names").isEqualTo(path);
    assertThat(e.getMessage()).as("C12: the error for " + path + " (naming the path and the type expected)")
        .contains(path).contains("expected");
  }

  /** A JSON value of another type than {@code value}'s. */
  private static Object wrongType(Object value) {
    return value instanceof String ? List.of() : value instanceof Number ? "text" : 42;
  }

  /**
   * <a href="RULES.md#c13">C13</a>: the value of a secret field ({@link CredentialMethod#secretFields()}) never
   * shows in {@code ProviderConfig.toString()}, the parsed settings, availability or an error.
   */
  @Test
  void required_c13_neverShowsASecretSetting() {
    try (Setup s = new Setup(b -> {})) {
      KitSupport.skipUnless(!s.provider.secretFields().isEmpty(), () -> "C13 cannot be checked: "
          + s.provider.method() + " declares no secretFields()");
      List<Secret> secrets = List.of(SENTINEL);
      for (String field : s.provider.secretFields()) {
        Map<String, Object> withSecret = withValue(s.settings(), field, SENTINEL.reveal());
        ProviderConfig config;
        try {
          config = s.build(withSecret);
        } catch (ConfigException e) {
          KitSupport.assertNoSecret(e, secrets, "C13: the error for the secret field " + s.path(field));
          continue;
        }
        KitSupport.assertNoSecret(config.toString(), secrets, "C13: ProviderConfig.toString() with the secret field "
            + s.path(field));
        KitSupport.assertNoSecret(String.valueOf(config.methodConfigs().get(s.provider.method())), secrets,
            "C13: the parsed settings' toString() with the secret field " + s.path(field));
        KitSupport.assertNoSecret(String.valueOf(s.provider.availability(config, s.context).detail()), secrets,
            "C13: availability() with the secret field " + s.path(field));
        try {
          s.build(withValue(s.settings(), field, List.of(SENTINEL.reveal())));
        } catch (ConfigException e) {
          KitSupport.assertNoSecret(e, secrets, "C13: the error for a wrong type in the secret field "
              + s.path(field));
        }
      }
    }
  }

  /** {@code settings} with {@code value} at the dotted path {@code field}, creating the objects on the way. */
  private static Map<String, Object> withValue(Map<String, Object> settings, String field, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(settings);
    int dot = field.indexOf('.');
    if (dot < 0) {
      copy.put(field, value);
    } else {
      String head = field.substring(0, dot);
      Object inner = copy.get(head);
      copy.put(head, withValue(inner instanceof Map<?, ?> m ? asMap(m) : Map.of(), field.substring(dot + 1), value));
    }
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  /** C14's token lifetime: shorter than the cache's 5-minute refresh-ahead window, as CI and Vault tokens are. */
  static final Duration SHORT_LIFE = Duration.ofSeconds(120);
  /** C14's span of requests, moved through by the suite's clock. */
  static final Duration SPAN = Duration.ofMinutes(10);
  /** C14's step of the clock between requests. */
  static final Duration STEP = Duration.ofSeconds(5);
  /** C14's requests per step. */
  static final int REQUESTS_PER_STEP = 2;
  /** The token cache's floor between refreshes of one key ({@code TokenCache.Builder.minimumRefreshInterval}). */
  static final Duration FLOOR = Duration.ofSeconds(30);

  /**
   * <a href="RULES.md#c14">C14</a>: short-lived tokens cost one issuer call per half-life, not one per request, and
   * never more than one per {@link #FLOOR}. Counted on a clock the suite moves, never timed.
   */
  @Test
  void required_c14_refreshesShortLivedTokensPerHalfLife() throws Exception {
    Instant start = Instant.now();
    KitSupport.ManualClock clock = new KitSupport.ManualClock(start);
    try (Setup s = new Setup(b -> {}, clock)) {
      KitSupport.skipUnless(s.fixture.fetches().isPresent(), () -> "C14 cannot be checked: method "
          + s.provider.method() + " never fetches");
      KitSupport.skipUnless(s.fixture.issueTokensLiving(SHORT_LIFE, clock), () -> "C14 cannot be checked: the "
          + "fixture of method " + s.provider.method() + " cannot issue tokens of a given lifetime on the suite's "
          + "clock (hook MethodFixture.issueTokensLiving)");
      TokenCache cache = s.context.tokenCache();
      AtomicInteger ended = new AtomicInteger();
      TokenListener listener = event -> {
        if (event instanceof TokenEvent.FetchSucceeded || event instanceof TokenEvent.FetchFailed) {
          ended.incrementAndGet();
        }
      };
      cache.addListener(listener);
      Credential c = s.create();
      int requests = 0;
      int calls = 0;
      @Nullable Instant lastCall = null;
      for (Duration at = Duration.ZERO; at.compareTo(SPAN) <= 0; at = at.plus(STEP)) {
        Instant now = start.plus(at);
        clock.set(now);
        for (int i = 0; i < REQUESTS_PER_STEP; i++) {
          AccessToken t = c.tokenIfReady();
          if (t == null) {
            t = get(c.token(), "C14 (request at +" + at.toSeconds() + " s)");
          }
          requests++;
          if (!t.expiresAt().isAfter(now)) {
            fail("C14: the request at +" + at.toSeconds() + " s got a token that expired at " + t.expiresAt()
                + ", " + Duration.between(t.expiresAt(), now).toSeconds() + " s before; check that the method "
                + "reports the expiry the issuer gave, on the ResolutionContext's clock");
          }
        }
        // Let a refresh this step started end before the clock moves on, so the count does not depend on timing.
        KitSupport.await(() -> ended.get() >= cache.stats().fetches(), KitSupport.PATIENCE,
            () -> "C14: a token fetch started by the token cache did not end");
        int total = s.fixture.fetches().orElseThrow();
        if (total > calls) {
          if (lastCall != null && Duration.between(lastCall, now).compareTo(FLOOR) < 0) {
            fail("C14: the issuer was called at +" + at.toSeconds() + " s, " + Duration.between(lastCall, now)
                .toSeconds() + " s after the call before; a key's tokens are never refreshed more often than every "
                + FLOOR.toSeconds() + " s (TokenCache minimumRefreshInterval): use the TokenCache of the "
                + "ResolutionContext and let it decide when to fetch");
          }
          lastCall = now;
          calls = total;
        }
      }
      cache.removeListener(listener);
      long halfLives = SPAN.toSeconds() / (SHORT_LIFE.toSeconds() / 2);
      assertThat(calls).as("C14: issuer calls for %d requests over %d s with %d-second tokens: the first fetch and "
          + "one per half-life (%d), not one per request; use the TokenCache of the ResolutionContext and report "
          + "each token's expiry as the issuer gave it", requests, SPAN.toSeconds(), SHORT_LIFE.toSeconds(),
          halfLives).isBetween((int) (SPAN.toSeconds() / SHORT_LIFE.toSeconds()), (int) halfLives + 2);
    }
  }

  private static AccessToken get(CompletableFuture<AccessToken> f, String rule) throws Exception {
    try {
      return Objects.requireNonNull(f.get(KitSupport.PATIENCE.toSeconds(), TimeUnit.SECONDS),
          rule + ": token() completed with null");
    } catch (TimeoutException e) {
      fail(rule + ": token() did not complete");
      throw e;
    } catch (java.util.concurrent.ExecutionException e) {
      fail(rule + ": token() failed: " + Futures.unwrap(e), e);
      throw e;
    }
  }

  private static void fetchesAre(Setup s, int expected, String what) {
    OptionalInt fetches = s.fixture.fetches();
    if (fetches.isPresent()) {
      assertThat(fetches.getAsInt()).as(what).isEqualTo(expected);
    }
  }

  /** One test's fixture, provider, configuration and context. */
  private final class Setup implements AutoCloseable {
    final MethodFixture fixture;
    final CredentialMethod provider;
    final ProviderConfig config;
    final KitSupport.Context context;

    Setup(Consumer<ProviderConfig.Builder> customize) {
      this(customize, null);
    }

    /** With {@code clock} for the resolution context and its token cache, else the system clock. */
    Setup(Consumer<ProviderConfig.Builder> customize, @Nullable InstantSource clock) {
      fixture = Objects.requireNonNull(newFixture(), "hook newFixture() returned null");
      provider = Objects.requireNonNull(fixture.credentialProvider(),
          "hook MethodFixture.credentialProvider() returned null");
      ProviderConfig.Builder b = ProviderConfig.builder("conformance").baseUrl("http://127.0.0.1:9/v1");
      customize.accept(b);
      fixture.configure(b);
      config = b.build();
      context = clock == null ? new KitSupport.Context(fixture.environment())
          : new KitSupport.Context(fixture.environment(), clock);
    }

    Credential create() {
      return Objects.requireNonNull(provider.create(config, context), "create() returned null");
    }

    /** @return the provider's settings as the fixture configured them, as plain Java values */
    Map<String, Object> settings() {
      Object plain = config.settings().plain();
      return plain instanceof Map<?, ?> m ? asMap(m) : Map.of();
    }

    String path(String field) {
      return "providers." + config.name() + "." + field;
    }

    /** Builds the provider from {@code settings}, parsed by this method. */
    ProviderConfig build(Map<String, Object> settings) {
      ProviderConfig.Builder b = ProviderConfig.builder(config.name()).methods(List.of(provider));
      settings.forEach(b::set);
      return b.build();
    }

    /** Requires {@code settings} to be refused with a {@link ConfigException}. */
    ConfigException rejects(Map<String, Object> settings, String what) {
      try {
        build(settings);
      } catch (ConfigException e) {
        return e;
      }
      throw new AssertionError(what + " was accepted; parseConfig() must refuse it with the ConfigException "
          + "ConfigNode makes (object(allowed...), text(), bool(), number())");
    }

    @Override
    public void close() {
      try {
        fixture.close();
      } finally {
        context.close();
      }
    }
  }
}
