package dev.llmauth.conformance.matrix;

import static org.assertj.core.api.Assertions.fail;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.conformance.IssuerFault;
import dev.llmauth.conformance.MethodFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when a secret of any fixture shows in what the test JVM logged.
 *
 * <p>Installed once per JVM: java.util.logging, the backend of {@code System.Logger}, logs at every level into a
 * capturing handler, and SLF4J (MSAL4J, azure-core, Apache HttpClient) is routed into it by {@code slf4j-jdk14}.
 * After each test and each test class, the records captured since the last check are searched for every secret
 * seen so far: the {@link MethodFixture#secrets()} of every fixture wrapped by {@link #watch} and every token its
 * {@link MethodFixture#currentToken()} returned. A failure names the logger and the secret's fingerprint only.
 *
 * <p>Not captured: the loggers in {@link #WIRE_LOGGERS}, which exist to dump requests (headers included) when a
 * user turns them on for debugging; they are switched off.
 */
final class LeakWatch implements AfterEachCallback, AfterAllCallback {
  /** Apache HttpClient's wire and header dumps: showing every header is what they are for. */
  static final List<String> WIRE_LOGGERS = List.of("org.apache.hc.client5.http.wire",
      "org.apache.hc.client5.http.headers");

  private static final Capture CAPTURE = new Capture();
  private static final Set<Secret> SECRETS = ConcurrentHashMap.newKeySet();
  private static final Set<Secret> REPORTED = ConcurrentHashMap.newKeySet();
  /** Strong references: java.util.logging forgets the level of a logger nobody references. */
  private static final List<Logger> CONFIGURED = new ArrayList<>();

  static {
    Logger root = LogManager.getLogManager().getLogger("");
    // The console would repeat what the failure rules make MSAL4J log on purpose; test failures say what matters.
    for (Handler console : root.getHandlers()) {
      console.setLevel(Level.OFF);
    }
    root.setLevel(Level.ALL);
    root.addHandler(CAPTURE);
    for (String name : WIRE_LOGGERS) {
      Logger wire = Logger.getLogger(name);
      wire.setLevel(Level.OFF);
      CONFIGURED.add(wire);
    }
    CONFIGURED.add(root);
  }

  /** Created by JUnit for {@code @ExtendWith}. */
  LeakWatch() {}

  /**
   * Wraps a fixture so that its secrets and tokens are watched for.
   *
   * @param fixture the fixture
   * @return the watched fixture
   */
  static MethodFixture watch(MethodFixture fixture) {
    return new Watched(fixture);
  }

  /**
   * Wraps a fixture factory so that every fixture it creates is watched.
   *
   * @param factory the factory
   * @return the watching factory
   */
  static Supplier<MethodFixture> watch(Supplier<MethodFixture> factory) {
    return () -> watch(factory.get());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context.getDisplayName() + " (after its last test)");
  }

  /**
   * The loggers whose records, captured since the last check, show {@code secret}; for the capture's own test.
   *
   * @param secret the secret
   * @return the logger names
   */
  static Set<String> loggersShowing(Secret secret) {
    Set<String> loggers = new TreeSet<>();
    for (Captured c : CAPTURE.records) {
      if (secret.occursIn(c.text())) {
        loggers.add(c.logger());
      }
    }
    return loggers;
  }

  private static void check(String when) {
    List<Captured> records = CAPTURE.drain();
    List<String> leaks = new ArrayList<>();
    for (Secret s : SECRETS) {
      Set<String> loggers = new TreeSet<>();
      for (Captured c : records) {
        if (s.occursIn(c.text())) {
          loggers.add(c.logger());
        }
      }
      if (!loggers.isEmpty() && REPORTED.add(s)) {
        leaks.add("a secret (" + s.fingerprint() + ") was logged by " + loggers);
      }
    }
    if (!leaks.isEmpty()) {
      fail("secrets must never be logged, at any level; during or before " + when + ": "
          + String.join("; ", leaks));
    }
  }

  private static void remember(Secret secret) {
    SECRETS.add(secret);
  }

  /** One captured record: the logger and everything it showed (message, parameters, exception). */
  private record Captured(String logger, String text) {}

  /** Keeps every record at every level until the next check. */
  private static final class Capture extends Handler {
    final ConcurrentLinkedQueue<Captured> records = new ConcurrentLinkedQueue<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    Capture() {
      setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
      String logger = String.valueOf(record.getLoggerName());
      StringBuilder text = new StringBuilder();
      text.append(record.getLevel()).append(' ').append(formatter.formatMessage(record)).append(' ')
          .append(record.getMessage());
      Object[] parameters = record.getParameters();
      if (parameters != null) {
        for (Object p : parameters) {
          text.append(' ').append(p);
        }
      }
      Throwable thrown = record.getThrown();
      if (thrown != null) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        text.append(' ').append(trace);
      }
      records.add(new Captured(logger, text.toString()));
    }

    List<Captured> drain() {
      List<Captured> out = new ArrayList<>();
      for (Captured c; (c = records.poll()) != null; ) {
        out.add(c);
      }
      return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** A fixture whose secrets and handed-out tokens are remembered for the check. */
  private static final class Watched implements MethodFixture {
    private final MethodFixture delegate;

    Watched(MethodFixture delegate) {
      this.delegate = delegate;
      delegate.secrets().forEach(LeakWatch::remember);
    }

    @Override
    public String method() {
      return delegate.method();
    }

    @Override
    public CredentialMethod credentialProvider() {
      return delegate.credentialProvider();
    }

    @Override
    public void configure(ProviderConfig.Builder provider) {
      delegate.configure(provider);
    }

    @Override
    public Map<String, String> environment() {
      return delegate.environment();
    }

    @Override
    public Secret currentToken() {
      Secret token = delegate.currentToken();
      remember(token);
      return token;
    }

    @Override
    public OptionalInt fetches() {
      return delegate.fetches();
    }

    @Override
    public @Nullable Runnable holdIssuer() {
      return delegate.holdIssuer();
    }

    @Override
    public boolean failIssuer() {
      return delegate.failIssuer();
    }

    @Override
    public boolean injectFault(IssuerFault fault) {
      return delegate.injectFault(fault);
    }

    @Override
    public boolean rateLimitWith(String retryAfter) {
      return delegate.rateLimitWith(retryAfter);
    }

    @Override
    public boolean issueTokensLiving(java.time.Duration lifetime, java.time.InstantSource clock) {
      return delegate.issueTokensLiving(lifetime, clock);
    }

    @Override
    public void clearFaults() {
      delegate.clearFaults();
    }

    @Override
    public boolean sendsApiKeyHeaderOnAzure() {
      return delegate.sendsApiKeyHeaderOnAzure();
    }

    @Override
    public List<Secret> secrets() {
      List<Secret> secrets = delegate.secrets();
      secrets.forEach(LeakWatch::remember);
      return secrets;
    }

    @Override
    public void close() {
      try {
        secrets();
      } finally {
        delegate.close();
      }
    }
  }
}
