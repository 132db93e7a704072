package dev.llmauth.conformance.matrix;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ManagedIdentityConfig;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialProvider;
import dev.llmauth.conformance.MethodFixture;
import dev.llmauth.conformance.mock.MockIdentityServer;
import dev.llmauth.entra.EntraCredentialProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The entra method with a system-assigned managed identity, App Service contract, through MSAL4J.
 *
 * <p>MSAL4J reads {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} from the process environment only, so the
 * test JVM is started with them (conformance-matrix/pom.xml) and one {@link MockIdentityServer} serves that
 * address for the whole JVM, reset for each fixture. MSAL4J's token cache is static and the first fetch may be
 * answered from it, so each fixture asks for a scope of its own: no fixture ever gets another's token.
 */
final class EntraFixture implements MethodFixture {
  /** The variables the method reads; the fixture's environment equals the process's for each. */
  private static final List<String> VARIABLES = List.of("IDENTITY_ENDPOINT", "IDENTITY_HEADER",
      "AZURE_TOKEN_CREDENTIALS");
  /** More faults than any rule makes issuer calls: every later call fails. */
  private static final int FAULTS = 1000;
  private static final AtomicInteger SERIAL = new AtomicInteger();
  private static @Nullable MockIdentityServer shared;

  private final MockIdentityServer identity;
  private final String scope;

  EntraFixture() {
    identity = server();
    identity.reset();
    scope = "api://conformance-" + SERIAL.incrementAndGet() + "/.default";
  }

  /** Starts the JVM's identity server on the address the process environment names. */
  private static synchronized MockIdentityServer server() {
    MockIdentityServer s = shared;
    if (s == null) {
      String endpoint = System.getenv("IDENTITY_ENDPOINT");
      String header = System.getenv("IDENTITY_HEADER");
      if (endpoint == null || endpoint.isEmpty() || header == null || header.isEmpty()) {
        throw new IllegalStateException("IDENTITY_ENDPOINT and IDENTITY_HEADER are not set in this process; MSAL4J "
            + "reads them from the process environment only. Run the matrix with mvn verify (conformance-matrix/"
            + "pom.xml sets them), or set IDENTITY_ENDPOINT=http://127.0.0.1:<free port>/msi/token and "
            + "IDENTITY_HEADER=<any value> yourself");
      }
      URI uri = URI.create(endpoint);
      if (!"127.0.0.1".equals(uri.getHost()) || !MockIdentityServer.APP_SERVICE_PATH.equals(uri.getPath())) {
        throw new IllegalStateException("IDENTITY_ENDPOINT must be http://127.0.0.1:<port>"
            + MockIdentityServer.APP_SERVICE_PATH + " for the mock identity server, got " + endpoint);
      }
      s = MockIdentityServer.start(uri.getPort(), header);
      shared = s;
    }
    return s;
  }

  @Override
  public String method() {
    return EntraCredentialProvider.METHOD;
  }

  @Override
  public CredentialProvider credentialProvider() {
    return new EntraCredentialProvider();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    provider.managedIdentity(new ManagedIdentityConfig(null, null, null, scope));
  }

  @Override
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String name : VARIABLES) {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  @Override
  public Secret currentToken() {
    List<String> issued = identity.issuedTokens();
    if (issued.isEmpty()) {
      throw new IllegalStateException("the identity server issued no token yet");
    }
    return Secret.of(issued.get(issued.size() - 1));
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.of(identity.tokenRequests().size());
  }

  @Override
  public Runnable holdIssuer() {
    identity.holdTokens();
    return identity::releaseTokens;
  }

  /** Answers 403, which MSAL4J does not retry: a failure arrives without MSAL's retry pauses. */
  @Override
  public boolean failIssuer() {
    for (int i = 0; i < FAULTS; i++) {
      identity.enqueue(MockIdentityServer.Fault.status(403));
    }
    return true;
  }

  @Override
  public List<Secret> secrets() {
    List<Secret> all = new ArrayList<>();
    all.add(Secret.of(identity.identityHeader()));
    identity.issuedTokens().forEach(t -> all.add(Secret.of(t)));
    return all;
  }

  @Override
  public void close() {
    identity.releaseTokens();
  }
}
