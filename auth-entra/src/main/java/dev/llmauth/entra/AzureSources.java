package dev.llmauth.entra;

import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.core.util.ConfigurationSource;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import com.microsoft.aad.msal4j.ManagedIdentityApplication;
import com.microsoft.aad.msal4j.ManagedIdentityId;
import com.microsoft.aad.msal4j.ManagedIdentityParameters;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalServiceException;
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The Azure-backed token sources. This class, and only code reached from it, touches Azure types; it is loaded on
 * the first fetch of an Entra credential.
 */
final class AzureSources {
  /** Runs MSAL's requests, which block on HTTP and on MSAL's own retry pauses. */
  private static final ExecutorService MSAL_EXECUTOR = Executors.newCachedThreadPool(new DaemonThreads());
  private static final ConfigurationSource NONE = path -> Map.of();

  private AzureSources() {}

  /**
   * Creates the source for a spec.
   *
   * @throws TokenException when the process environment disagrees with the one the library was given
   */
  static TokenSource create(EntraSpec spec) {
    if (spec.mayUseManagedIdentity()) {
      checkProcessEnvironment(spec);
    }
    return spec.chain() ? defaultChain(spec) : new ManagedIdentitySource(spec);
  }

  /**
   * MSAL4J reads the managed-identity variables from the process environment only. When the environment given to
   * the library differs there, MSAL would call another endpoint than the one configured (in the worst case the
   * real IMDS), so refuse instead.
   */
  private static void checkProcessEnvironment(EntraSpec spec) {
    List<String> differing = new ArrayList<>();
    for (String name : EntraSpec.MANAGED_IDENTITY_VARIABLES) {
      String process = System.getenv(name);
      if (process != null && process.isEmpty()) {
        process = null;
      }
      if (!Objects.equals(process, spec.env(name))) {
        differing.add(name);
      }
    }
    if (!differing.isEmpty()) {
      throw new TokenException(AuthException.TOKEN_UNAVAILABLE, spec.describe() + ": managed identity reads "
          + String.join(", ", differing) + " from the process environment (MSAL4J), and the environment given to "
          + "LlmAuth sets " + (differing.size() == 1 ? "it" : "them") + " differently; set "
          + (differing.size() == 1 ? "this variable" : "these variables")
          + " in the process environment, or leave LlmAuth's environment at its default", true, null, null);
    }
  }

  private static TokenSource defaultChain(EntraSpec spec) {
    Map<String, String> env = spec.environment();
    Configuration configuration = new ConfigurationBuilder(NONE, NONE, path -> env).build();
    return new TokenCredentialSource(new DefaultAzureCredentialBuilder().configuration(configuration).build(),
        spec.describe(), fixFor(spec));
  }

  static String fixFor(EntraSpec spec) {
    if (spec.chain()) {
      return "sign in with `az login` for local development, set AZURE_TOKEN_CREDENTIALS to the credential you "
          + "mean (for example ManagedIdentityCredential or AzureCliCredential), or configure managedIdentity or an "
          + "apiKey";
    }
    String selector = spec.selectorField() == null ? "" : " and that the user-assigned identity with this "
        + spec.selectorField() + " is attached";
    return switch (spec.identitySource()) {
      case "App Service" -> "check that a managed identity is enabled on the App Service or Functions app" + selector
          + ", and that IDENTITY_ENDPOINT and IDENTITY_HEADER are the ones the platform set";
      case "IMDS" -> "IMDS answers only on Azure VMs, scale sets and AKS nodes with a managed identity" + selector
          + "; elsewhere use \"entra\": {} (DefaultAzureCredential, for example after `az login`) or an apiKey";
      default -> "check that a managed identity is enabled on this " + spec.identitySource() + " resource"
          + selector;
    };
  }

  /** A managed identity through MSAL4J, forced past MSAL's cache whenever the token cache asks for a new token. */
  static final class ManagedIdentitySource implements TokenSource {
    private final EntraSpec spec;
    private final ManagedIdentityApplication app;
    private final IdentityHttpClient http = new IdentityHttpClient();

    ManagedIdentitySource(EntraSpec spec) {
      this.spec = spec;
      String value = Objects.requireNonNullElse(spec.selectorValue(), "");
      ManagedIdentityId id = spec.selectorField() == null ? ManagedIdentityId.systemAssigned()
          : switch (spec.selectorField()) {
            case "clientId" -> ManagedIdentityId.userAssignedClientId(value);
            case "objectId" -> ManagedIdentityId.userAssignedObjectId(value);
            default -> ManagedIdentityId.userAssignedResourceId(value);
          };
      this.app = ManagedIdentityApplication.builder(id).executorService(MSAL_EXECUTOR).httpClient(http).build();
    }

    @Override
    public CompletionStage<AccessToken> fetch(TokenRequest request, FetchReason reason) {
      // MSAL keeps its own cache; only the very first fetch may be served from it. Every later fetch is the token
      // cache asking for a new token (ahead of expiry, after expiry or after a 401), which MSAL's cache would
      // answer with the token being replaced.
      ManagedIdentityParameters parameters = ManagedIdentityParameters.builder(spec.resource())
          .forceRefresh(reason != FetchReason.INITIAL)
          .build();
      CompletableFuture<IAuthenticationResult> result;
      http.last = null;
      try {
        result = app.acquireTokenForManagedIdentity(parameters);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(failure(spec, e, http.last));
      }
      return result.handle((r, failure) -> {
        if (failure != null) {
          throw failure(spec, failure, http.last);
        }
        if (r == null || r.accessToken() == null || r.accessToken().isEmpty() || r.expiresOnDate() == null) {
          throw new TokenException(spec.describe() + " returned no access token; " + fixFor(spec), null);
        }
        Long refreshOn = r.metadata() == null ? null : r.metadata().refreshOn();
        return AccessToken.of(Secret.of(r.accessToken()), r.expiresOnDate().toInstant(),
            refreshOn == null || refreshOn <= 0 ? null : Instant.ofEpochSecond(refreshOn));
      });
    }

    @Override
    public String describe() {
      return spec.describe();
    }
  }

  /** Turns an MSAL failure into a typed error naming the source, the endpoint and the fix, without secrets. */
  static TokenException failure(EntraSpec spec, Throwable failure, @Nullable HttpResponse<?> last) {
    Throwable t = unwrap(failure);
    if (t instanceof TokenException te) {
      return te;
    }
    boolean permanent = false;
    Duration retryAfter = null;
    String what;
    if (t instanceof MsalServiceException se && last != null && last.statusCode() >= 400) {
      // MSAL's managed-identity errors carry no status; the last answer MSAL received is the one it gave up on.
      int status = last.statusCode();
      permanent = status == 400 || status == 401 || status == 403;
      retryAfter = retryAfter(last.headers().map());
      what = "the identity endpoint answered HTTP " + status + " (" + se.errorCode() + ")";
    } else if (hasCause(t, ConnectException.class)) {
      what = "the identity endpoint is not reachable";
    } else if (t instanceof MsalException me) {
      what = "the identity endpoint's answer was not usable (" + me.errorCode() + ")";
    } else {
      what = "the token request failed (" + t.getClass().getSimpleName() + ")";
    }
    String message = spec.describe() + " at " + spec.endpoint() + ": " + what + "; " + fixFor(spec);
    return new TokenException(AuthException.TOKEN_UNAVAILABLE, message, permanent, retryAfter,
        Redacted.of(t, secretsOf(spec)));
  }

  private static Set<String> secretsOf(EntraSpec spec) {
    String header = spec.env("IDENTITY_HEADER");
    return header == null ? Set.of() : Set.of(header);
  }

  private static @Nullable Duration retryAfter(@Nullable Map<String, List<String>> headers) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if ("retry-after".equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isEmpty()) {
        try {
          return Duration.ofSeconds(Long.parseLong(h.getValue().get(0).trim()));
        } catch (NumberFormatException notSeconds) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * MSAL's HTTP, over {@code java.net.http}, remembering the last answer so that failures can report its status
   * (MSAL's managed-identity errors do not carry it). MSAL retries transient statuses itself, around this client.
   */
  static final class IdentityHttpClient implements IHttpClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();

    volatile @Nullable HttpResponse<String> last;

    @Override
    public IHttpResponse send(com.microsoft.aad.msal4j.HttpRequest request) throws Exception {
      java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(request.url().toURI())
          .timeout(Duration.ofSeconds(30));
      if (request.headers() != null) {
        request.headers().forEach(b::header);
      }
      String body = request.body();
      b.method(request.httpMethod().name(), body == null
          ? java.net.http.HttpRequest.BodyPublishers.noBody()
          : java.net.http.HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      last = r;
      com.microsoft.aad.msal4j.HttpResponse out = new com.microsoft.aad.msal4j.HttpResponse()
          .statusCode(r.statusCode())
          .body(r.body());
      out.addHeaders(r.headers().map());
      return out;
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "llm-auth-entra-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
