package dev.llmauth.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Chooses a provider's {@link RequestAuthenticator} for each request, for one HTTP client that sends requests for
 * several providers or tenants. The request names its provider the way its client allows:
 *
 * <ul>
 *   <li>OkHttp: the tag {@code Request.Builder.tag(ProviderRouter.Route.class, new ProviderRouter.Route("azure"))};
 *   <li>Apache HttpClient 5: the context attribute {@link #ATTRIBUTE}, a {@code String};
 *   <li>{@code java.net.http}, which has no request attribute: the header {@link #HEADER}, which the adapter
 *       removes before the request is sent.
 * </ul>
 *
 * <p>A request that names no provider gets the default, when there is one. A request that names a provider the
 * router does not know, or names none when there is no default, fails before anything is sent, with an {@link
 * AuthException} naming the provider. Each provider keeps its own authenticator, token and 401 handling.
 *
 * <pre>{@code
 * ProviderRouter router = ProviderRouter.of(auth, "openai");
 * OkHttpClient client = LlmAuthInterceptor.install(new OkHttpClient.Builder(), router).build();
 * Request request = new Request.Builder().url(url)
 *     .tag(ProviderRouter.Route.class, new ProviderRouter.Route("azure")).post(body).build();
 * }</pre>
 */
public final class ProviderRouter {
  /**
   * The routing header, for clients without a request attribute ({@code java.net.http}): its value names the
   * provider, and the adapter removes it before the request is sent.
   */
  public static final String HEADER = "LlmAuth-Provider";

  /** The name of the context attribute (Apache HttpClient's {@code HttpContext}) whose value names the provider. */
  public static final String ATTRIBUTE = "dev.llmauth.provider";

  private final Function<String, RequestAuthenticator> lookup;
  private final Set<String> providers;
  private final @Nullable String defaultProvider;

  private ProviderRouter(Function<String, RequestAuthenticator> lookup, Set<String> providers,
      @Nullable String defaultProvider) {
    this.lookup = lookup;
    this.providers = providers;
    this.defaultProvider = defaultProvider;
  }

  /**
   * Routes to every provider of an {@link LlmAuth}; each provider's method is resolved on its first request.
   *
   * @param auth the configured providers
   * @param defaultProvider the provider for a request that names none, or {@code null} to make such a request fail
   * @return the router
   * @throws ConfigException when {@code defaultProvider} is not one of the configured providers
   */
  public static ProviderRouter of(LlmAuth auth, @Nullable String defaultProvider) {
    Objects.requireNonNull(auth, "auth");
    // An unresolved provider is routed too: a request naming it fails with its own configuration error.
    Set<String> names = Set.copyOf(auth.config().providerNames());
    if (defaultProvider != null && !names.contains(defaultProvider)) {
      auth.config().provider(defaultProvider);
    }
    return new ProviderRouter(auth::authenticator, names, defaultProvider);
  }

  /**
   * Routes to the given authenticators, each under its {@linkplain RequestAuthenticator#provider() provider name}.
   *
   * @param authenticators the authenticators, with distinct provider names
   * @param defaultProvider the provider for a request that names none, or {@code null} to make such a request fail
   * @return the router
   * @throws IllegalArgumentException when two authenticators have the same name, or {@code defaultProvider} is not
   *     among them
   */
  public static ProviderRouter of(Iterable<RequestAuthenticator> authenticators, @Nullable String defaultProvider) {
    Map<String, RequestAuthenticator> byName = new LinkedHashMap<>();
    for (RequestAuthenticator a : authenticators) {
      if (byName.putIfAbsent(a.provider(), a) != null) {
        throw new IllegalArgumentException("two authenticators for provider '" + a.provider()
            + "'; give each provider one");
      }
    }
    if (defaultProvider != null && !byName.containsKey(defaultProvider)) {
      throw new IllegalArgumentException("the default provider '" + defaultProvider + "' is not among the "
          + "authenticators (" + String.join(", ", byName.keySet()) + "); pass its authenticator or another default");
    }
    Map<String, RequestAuthenticator> fixed = Map.copyOf(byName);
    return new ProviderRouter(fixed::get, fixed.keySet(), defaultProvider);
  }

  /**
   * Returns the authenticator for a request.
   *
   * @param provider the provider the request names, or {@code null} when it names none
   * @return that provider's authenticator, or the default's
   * @throws AuthException ({@link ConfigException}, or {@link CredentialNotFoundException} when no method can
   *     serve the provider) naming the provider, when it is unknown or when none is named and there is no default
   */
  public RequestAuthenticator authenticator(@Nullable String provider) {
    String name = provider != null ? provider : defaultProvider;
    if (name == null) {
      throw new ConfigException(null, null, "the request names no provider and the router has no default; name "
          + "one (" + describeNaming() + ") or build the router with a default provider; known providers: "
          + known());
    }
    if (!providers.contains(name)) {
      throw new ConfigException(printable(name), null, "the request names provider '" + printable(name)
          + "', which the router does not know; known providers: " + known());
    }
    return lookup.apply(name);
  }

  /** @return the provider names this router knows */
  public Set<String> providers() {
    return providers;
  }

  /** @return the provider for a request that names none, or {@code null} when such a request fails */
  public @Nullable String defaultProvider() {
    return defaultProvider;
  }

  private String known() {
    return providers.isEmpty() ? "(none)" : String.join(", ", new java.util.TreeSet<>(providers));
  }

  private static String describeNaming() {
    return "OkHttp tag ProviderRouter.Route, Apache context attribute " + ATTRIBUTE + ", java.net.http header "
        + HEADER;
  }

  /** A name as it may be shown: at most 64 visible ASCII characters, others replaced by {@code ?}. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && i < 64; i++) {
      char c = name.charAt(i);
      out.append(c > 0x20 && c < 0x7f ? c : '?');
    }
    return name.length() > 64 ? out + "…" : out.toString();
  }

  /** Shows the provider names and the default. */
  @Override
  public String toString() {
    return "ProviderRouter[providers=" + known() + ", default=" + defaultProvider + "]";
  }

  /**
   * The provider a request is for, as an OkHttp request tag: {@code tag(ProviderRouter.Route.class, new
   * ProviderRouter.Route("azure"))}.
   *
   * @param provider the provider's name
   */
  public record Route(String provider) {
    /** Checks that the name is not blank. */
    public Route {
      Objects.requireNonNull(provider, "provider");
      if (provider.isBlank()) {
        throw new IllegalArgumentException("provider is blank; name a configured provider");
      }
    }
  }
}
