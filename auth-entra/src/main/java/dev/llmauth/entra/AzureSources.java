package dev.llmauth.entra;

import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
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
import dev.llmauth.api.AccessToken;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.spi.FetchReason;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.IssuerCall;
import dev.llmauth.api.spi.IssuerTimeouts;
import dev.llmauth.api.spi.TokenRequest;
import dev.llmauth.api.spi.TokenSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
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
    IdentityAnswerPolicy identity = new IdentityAnswerPolicy(MSAL_EXECUTOR, spec.timeouts().exchange());
    // MSAL4J retries identity calls itself; azure-core's pipeline retry on top of it would multiply the calls and
    // sleep through Retry-After past the exchange's deadline, so the pipeline does not retry. (A retry policy, not
    // retry options: azure-identity sets a retry policy of its own for IMDS, and refuses both kinds at once.)
    return new TokenCredentialSource(new DefaultAzureCredentialBuilder().configuration(configuration)
        .retryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ZERO)))
        .addPolicy(identity).build(), spec.describe(), fixFor(spec), new TokenCredentialSource.Observed(identity,
        secretsOf(spec), MSAL_EXECUTOR));
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
    private final IdentityHttpClient http;

    ManagedIdentitySource(EntraSpec spec) {
      this.spec = spec;
      this.http = new IdentityHttpClient(spec.timeouts());
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
      http.startFetch();
      try {
        result = app.acquireTokenForManagedIdentity(parameters);
      } catch (Exception e) {
        return CompletableFuture.failedFuture(failure(spec, e, http));
      }
      CompletableFuture<AccessToken> token = result.handle((r, failure) -> {
        if (failure != null) {
          throw failure(spec, failure, http);
        }
        if (r == null || r.accessToken() == null || r.accessToken().isEmpty() || r.expiresOnDate() == null) {
          throw new TokenException(spec.describe() + " returned no access token; " + fixFor(spec), null);
        }
        // The endpoint's refresh_in wins (MSAL ignores it); else MSAL's refreshOn (half of a lifetime over 2 hours).
        IdentityHttpClient.Answer answer = http.last;
        Instant refreshAt = answer == null ? null : answer.refreshAt();
        Long refreshOn = r.metadata() == null ? null : r.metadata().refreshOn();
        if (refreshAt == null && refreshOn != null && refreshOn > 0) {
          refreshAt = Instant.ofEpochSecond(refreshOn);
        }
        return AccessToken.of(Secret.of(r.accessToken()), r.expiresOnDate().toInstant(), refreshAt);
      });
      token.whenComplete((t, failure) -> {
        if (givenUp(failure)) {
          http.cancel();
        }
      });
      return token;
    }

    @Override
    public String describe() {
      return spec.describe();
    }
  }

  /**
   * Turns an MSAL failure into a typed error naming the source, the endpoint, what went wrong and the fix, without
   * secrets. 400, 401 and 403 are permanent; everything else is transient, with the endpoint's Retry-After.
   */
  static TokenException failure(EntraSpec spec, Throwable failure, IdentityHttpClient http) {
    Throwable t = Futures.unwrap(failure);
    if (t instanceof TokenException te) {
      return te;
    }
    boolean permanent = false;
    Duration retryAfter = null;
    String what;
    IdentityHttpClient.Answer last = http.last;
    IOException error = http.lastError;
    int calls = http.calls.get();
    String attempts = calls <= 1 ? "" : " after " + calls + " attempts";
    if (error instanceof HttpConnectTimeoutException) {
      what = "connecting to the identity endpoint timed out after " + seconds(http.connectTimeout);
    } else if (error instanceof HttpTimeoutException) {
      what = "the identity endpoint gave no complete answer within " + seconds(http.deadline);
    } else if (error instanceof IdentityHttpClient.TooLarge) {
      what = "the identity endpoint's answer is larger than " + IdentityHttpClient.MAX_BODY_BYTES
          + " bytes, so it is not a token answer";
    } else if (error instanceof ConnectException) {
      what = "the identity endpoint is not reachable (connection refused)";
    } else if (error != null) {
      what = "the connection to the identity endpoint failed without an answer (" + error.getClass().getSimpleName()
          + ")";
    } else if (last != null && last.status() >= 400) {
      // MSAL's managed-identity errors carry no status; the last answer MSAL received is the one it gave up on.
      int status = last.status();
      permanent = status == 400 || status == 401 || status == 403;
      retryAfter = last.retryAfter();
      String code = t instanceof MsalException me ? " (" + me.errorCode() + ")" : "";
      what = "the identity endpoint answered HTTP " + status + code + attempts;
    } else if (last != null && last.problem() != null) {
      what = "the identity endpoint's answer " + last.problem();
    } else if (t instanceof MsalException me) {
      what = "the identity endpoint's answer was not usable (" + me.errorCode() + ")";
    } else {
      what = "the token request failed (" + t.getClass().getSimpleName() + ")";
    }
    String message = spec.describe() + " at " + spec.endpoint() + ": " + what + "; " + fixFor(spec);
    Throwable cause = last != null && last.status() == 200 ? Redacted.withoutMessages(t)
        : Redacted.of(t, secretsOf(spec));
    return new TokenException(AuthException.TOKEN_UNAVAILABLE, message, permanent, retryAfter, cause);
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The secrets of the environment a source reads, cut out of third-party messages. */
  private static Set<String> secretsOf(EntraSpec spec) {
    Set<String> secrets = new java.util.HashSet<>();
    for (String name : List.of("IDENTITY_HEADER", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD")) {
      String value = spec.env(name);
      if (value != null && !value.isEmpty()) {
        secrets.add(value);
      }
    }
    return Set.copyOf(secrets);
  }

  /**
   * MSAL's HTTP, over an {@link IssuerCall}: one deadline for each whole exchange (connect, status and headers, body)
   * and a cap on the answer's size, both as the spec's {@link EntraSpec#timeouts()} and {@link
   * IssuerCall#DEFAULT_MAX_BODY_BYTES} say. It remembers the last answer (status, Retry-After, what is wrong with a
   * 200) or the I/O error of the current fetch, so that failures can say what happened: MSAL's managed-identity
   * errors carry no status and drop the cause. MSAL retries statuses itself, around this client; an I/O error (the
   * deadline passing included) ends the fetch at once. {@link #cancel()} abandons the exchange in flight, so that no
   * thread stays behind waiting on a slow answer once the token cache has given up.
   *
   * <p>A 200 is put in the form MSAL reads by {@link TokenAnswer}, and its {@code refresh_in}, which MSAL ignores, is
   * kept for the token cache.
   */
  static final class IdentityHttpClient implements IHttpClient {
    /** The largest answer read: a token answer is a few kilobytes. */
    static final int MAX_BODY_BYTES = IssuerCall.DEFAULT_MAX_BODY_BYTES;

    private final IssuerCall issuer;
    final Duration connectTimeout;
    final Duration deadline;

    final AtomicInteger calls = new AtomicInteger();
    volatile @Nullable Answer last;
    volatile @Nullable IOException lastError;
    private volatile @Nullable CompletableFuture<IssuerCall.Answer> inFlight;

    IdentityHttpClient(IssuerTimeouts timeouts) {
      this.issuer = IssuerCall.create(timeouts, MAX_BODY_BYTES);
      this.connectTimeout = timeouts.connect();
      this.deadline = timeouts.exchange();
    }

    /**
     * What the last answer said.
     *
     * @param status the status
     * @param retryAfter its Retry-After, or {@code null}
     * @param refreshAt the receipt time plus its {@code refresh_in}, or {@code null}
     * @param problem what makes a 200 unusable, such as {@code has no access_token}, or {@code null}
     */
    record Answer(int status, @Nullable Duration retryAfter, @Nullable Instant refreshAt, @Nullable String problem) {}

    /** An answer over {@link #MAX_BODY_BYTES}. */
    static final class TooLarge extends IOException {
      private static final long serialVersionUID = 1L;

      TooLarge() {
        super("the answer is larger than " + MAX_BODY_BYTES + " bytes");
      }
    }

    /** The whole exchange took longer than the deadline. */
    static final class DeadlinePassed extends HttpTimeoutException {
      private static final long serialVersionUID = 1L;

      DeadlinePassed(Duration deadline) {
        super("no complete answer within " + seconds(deadline));
      }
    }

    /** Forgets the previous fetch. */
    void startFetch() {
      calls.set(0);
      last = null;
      lastError = null;
    }

    /** Abandons the exchange in flight, if any: its connection is closed and its waiter fails. */
    void cancel() {
      CompletableFuture<?> f = inFlight;
      if (f != null) {
        f.cancel(true);
      }
    }

    @Override
    public IHttpResponse send(com.microsoft.aad.msal4j.HttpRequest request) throws Exception {
      calls.incrementAndGet();
      java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(request.url().toURI());
      if (request.headers() != null) {
        request.headers().forEach(b::header);
      }
      String body = request.body();
      b.method(request.httpMethod().name(), body == null
          ? java.net.http.HttpRequest.BodyPublishers.noBody()
          : java.net.http.HttpRequest.BodyPublishers.ofString(body));
      IssuerCall.Answer r;
      CompletableFuture<IssuerCall.Answer> call = issuer.sendAsync(b.build());
      inFlight = call;
      try {
        r = IssuerCall.await(call);
        if (r.truncated()) {
          throw new TooLarge();
        }
      } catch (IOException e) {
        lastError = e;
        throw e;
      } finally {
        inFlight = null;
      }
      String text = r.text();
      Map<String, List<String>> headers = r.headers().map();
      Answer answer = new Answer(r.status(), r.retryAfter(), null, null);
      if (r.status() == 200) {
        TokenAnswer token = TokenAnswer.read(text, r.receivedAt());
        text = token.body();
        answer = new Answer(200, null, token.refreshAt(), token.problem());
      }
      last = answer;
      com.microsoft.aad.msal4j.HttpResponse out = new com.microsoft.aad.msal4j.HttpResponse()
          .statusCode(r.status())
          .body(text);
      out.addHeaders(headers);
      return out;
    }
  }

  /**
   * Whether a source's future ended because the token cache gave up on it: it times the future out ({@code
   * orTimeout}) or cancels it when it closes. The source's own failures are {@link TokenException}s; the exchange in
   * flight then is already over, and may even be the next fetch's.
   */
  static boolean givenUp(@Nullable Throwable failure) {
    Throwable f = failure == null ? null : Futures.unwrap(failure);
    return f instanceof TimeoutException || f instanceof CancellationException;
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
