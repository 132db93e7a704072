package dev.llmauth.api;

import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.internal.ProviderData;
import dev.llmauth.api.spi.Credential;
import dev.llmauth.api.spi.Futures;
import dev.llmauth.api.spi.Loopback;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Authenticates requests to one provider: it gets the credential's current token and turns it into header
 * edits, and it takes back tokens the server rejected. HTTP adapters wrap one of these; obtain it from {@link
 * LlmAuth#authenticator(String)}.
 *
 * <p>The header edits follow the provider's configuration:
 *
 * <ul>
 *   <li>bearer methods set {@code Authorization: Bearer <token>} and remove {@code api-key} and {@code
 *       x-api-key};
 *   <li>an Azure OpenAI API key sets {@code api-key: <key>} and removes {@code Authorization};
 *   <li>with {@code providerDataHeader}, the token travels in that header's JSON object as {@code
 *       azure_api_key}, with {@code azure_api_base} ({@link ProviderConfig#providerDataBase()}), merged into the
 *       object the request carries in that header, else into the value of that header among the provider's
 *       static {@code headers}, else into {@code {}}; a value that is not a JSON object is replaced; no {@code
 *       Authorization} is sent;
 *   <li>the provider's static {@code headers} and the token's own headers (such as {@code ChatGPT-Account-Id})
 *       are set, unless a credential header above has the same name (compared ignoring case).
 * </ul>
 *
 * <p>A credential is never sent over plain {@code http://} to a host other than loopback (as {@link
 * Loopback#isLoopbackHost} defines it: {@code localhost}, {@code 127.x.x.x}, {@code ::1}) unless the provider
 * sets {@code allowInsecureHttp}.
 *
 * <p>With a cached token a request costs a few field reads and no allocation: the token comes from {@link
 * Credential#tokenIfReady()} when the credential has one at hand (else from {@link Credential#token()}), and the
 * edits built for a token are reused while the credential returns that same token instance. Only a request that
 * carries its own provider-data header gets edits built for it.
 *
 * <p>401 handling, the same in every adapter: call {@link #invalidate(Authorization)} with the rejected
 * authorization; when it returns {@code true}, authorize again and replay the request once; a second 401 goes
 * back to the caller.
 */
public final class RequestAuthenticator {
  private static final List<String> BEARER_CONFLICTS = List.of("authorization", "api-key", "x-api-key");
  private static final List<String> API_KEY_CONFLICTS = List.of("authorization", "api-key", "x-api-key");

  private final ProviderConfig config;
  private final Credential credential;
  private final @Nullable TokenEvents events;
  /** The edits built for the token last seen, reused while the credential returns that same token instance. */
  private volatile @Nullable Authorization lastBuilt;

  private RequestAuthenticator(ProviderConfig config, Credential credential, @Nullable TokenEvents events) {
    this.config = Objects.requireNonNull(config, "config");
    this.credential = Objects.requireNonNull(credential, "credential");
    this.events = events;
  }

  /**
   * Creates an authenticator for a credential made outside {@link LlmAuth}, for example in a test.
   *
   * @param config the provider's configuration (header style, base URL, static headers)
   * @param credential the credential
   * @return the authenticator
   */
  public static RequestAuthenticator of(ProviderConfig config, Credential credential) {
    return new RequestAuthenticator(config, credential, null);
  }

  /** For {@link LlmAuth}: rejections are reported to its listeners. */
  static RequestAuthenticator of(ProviderConfig config, Credential credential, TokenEvents events) {
    return new RequestAuthenticator(config, credential, events);
  }

  /** @return the provider's name */
  public String provider() {
    return config.name();
  }

  /** @return the method id in use, such as {@code api-key} */
  public String method() {
    return credential.method();
  }

  /** @return a description of the credential, never a secret */
  public String describe() {
    return credential.describe();
  }

  /** @return the provider's configuration */
  public ProviderConfig config() {
    return config;
  }

  /**
   * Authorizes a request without blocking. The future is the caller's own: cancelling it stops this request's
   * wait for a token and nothing else.
   *
   * @param request the request about to be sent
   * @return the header edits, or a future failed with an {@link AuthException}
   */
  public CompletableFuture<Authorization> authorizeAsync(OutgoingRequest request) {
    try {
      checkTransport(request.uri());
    } catch (AuthException e) {
      return CompletableFuture.failedFuture(e);
    }
    AccessToken ready = credential.tokenIfReady();
    if (ready != null) {
      return CompletableFuture.completedFuture(edits(request, ready));
    }
    return credential.token().thenApply(token -> edits(request, token));
  }

  /**
   * Authorizes a request, blocking while a token is fetched (never while a usable one is cached).
   *
   * @param request the request about to be sent
   * @return the header edits
   * @throws AuthException when no token could be obtained or the request would leak the credential
   */
  public Authorization authorize(OutgoingRequest request) {
    checkTransport(request.uri());
    AccessToken ready = credential.tokenIfReady();
    if (ready != null) {
      return edits(request, ready);
    }
    CompletableFuture<AccessToken> future = credential.token();
    AccessToken token;
    try {
      token = future.get();
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new TokenException("interrupted while waiting for a token for provider '" + provider() + "'", e);
    } catch (ExecutionException | CancellationException e) {
      throw asAuthException(e);
    }
    return edits(request, token);
  }

  /**
   * Reports that the server rejected an authorization (HTTP 401).
   *
   * @param rejected the authorization that was sent
   * @return whether authorizing again may produce a different credential, so one replay is worth it
   */
  public boolean invalidate(Authorization rejected) {
    if (rejected.credential() != credential) {
      throw new IllegalArgumentException("this authorization was made by another authenticator");
    }
    boolean replayable = credential.invalidate(rejected.token());
    TokenEvents e = events;
    if (e != null && e.active()) {
      e.publish(new TokenEvent.TokenRejected(config.name(), credential.method(), credential.describe(),
          Instant.now(), replayable));
    }
    return replayable;
  }

  /**
   * Unwraps the failure of a future returned by this class into the {@link AuthException} it carries.
   *
   * @param failure a failure from {@link #authorizeAsync}
   * @return the auth exception
   */
  public static AuthException asAuthException(Throwable failure) {
    Throwable c = Futures.unwrap(failure);
    if (c instanceof AuthException ae) {
      return ae;
    }
    if (c instanceof CancellationException) {
      return new TokenException("the wait for a token was cancelled", c);
    }
    return new TokenException("token unavailable: " + c.getClass().getSimpleName(), c);
  }

  @Override
  public String toString() {
    return "RequestAuthenticator[provider=" + config.name() + ", method=" + credential.method() + "]";
  }

  private void checkTransport(URI uri) {
    if (config.allowInsecureHttp() || !"http".equalsIgnoreCase(uri.getScheme())
        || Loopback.isLoopbackHost(uri.getHost())) {
      return;
    }
    throw new AuthException(AuthException.INSECURE_TRANSPORT, "refusing to send the credential of provider '"
        + config.name() + "' over plain http to " + uri.getHost() + "; use https, or set \"allowInsecureHttp\": "
        + "true on the provider if this network is trusted");
  }

  /**
   * The edits for {@code token}. They depend on the request only when it carries a provider-data header of its
   * own; otherwise the edits last built are reused for as long as the credential hands out the same token
   * instance, so a request with a cached token allocates nothing here.
   */
  private Authorization edits(OutgoingRequest request, AccessToken token) {
    String dataHeader = config.providerDataHeader();
    String existing = dataHeader == null ? null : request.header(dataHeader);
    if (existing != null) {
      return build(existing, token);
    }
    Authorization last = lastBuilt;
    if (last != null && last.token() == token) {
      return last;
    }
    Authorization built = build(null, token);
    lastBuilt = built;
    return built;
  }

  /** Builds the edits; {@code existing} is the request's own provider-data header value, if any. */
  private Authorization build(@Nullable String existing, AccessToken token) {
    LinkedHashMap<String, String> sets = new LinkedHashMap<>();
    List<String> removals = new ArrayList<>();
    String dataHeader = config.providerDataHeader();
    if (dataHeader != null) {
      removals.addAll(BEARER_CONFLICTS);
      String base = config.providerDataBase();
      sets.put(dataHeader, ProviderData.merge(existing != null ? existing : staticHeader(dataHeader),
          token.value().reveal(), base == null ? "" : base));
    } else if (credential.use() == Credential.TokenUse.API_KEY_HEADER) {
      removals.addAll(API_KEY_CONFLICTS);
      sets.put("api-key", token.value().reveal());
    } else {
      removals.addAll(BEARER_CONFLICTS);
      sets.put("Authorization", "Bearer " + token.value().reveal());
    }
    Set<String> taken = new LinkedHashSet<>();
    sets.keySet().forEach(name -> taken.add(name.toLowerCase(Locale.ROOT)));
    for (Map<String, String> more : List.of(config.headers(), token.headers())) {
      for (Map.Entry<String, String> h : more.entrySet()) {
        if (taken.add(h.getKey().toLowerCase(Locale.ROOT))) {
          sets.put(h.getKey(), h.getValue());
        }
      }
    }
    for (String name : taken) {
      if (!removals.contains(name)) {
        removals.add(name);
      }
    }
    return new Authorization(credential, token, removals, sets);
  }

  /** The value of a static header, its name compared ignoring case, or {@code null}. */
  private @Nullable String staticHeader(String name) {
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }
}
