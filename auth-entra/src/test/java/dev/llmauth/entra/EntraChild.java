package dev.llmauth.entra;

import dev.llmauth.api.AuthException;
import dev.llmauth.api.Authorization;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.OutgoingRequest;
import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.api.Secret;
import dev.llmauth.api.TokenCache;
import dev.llmauth.api.TokenException;
import dev.llmauth.api.config.LlmAuthConfig;
import dev.llmauth.api.config.ProviderConfig;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.ArrayList;

/**
 * Runs Entra scenarios in a JVM of their own, whose process environment points MSAL4J at a mock identity server
 * (MSAL4J reads the managed-identity variables from the process environment only). Arguments: the provider's JSON,
 * then commands; prints one {@code OUT ...} line per command. Tokens are printed as fingerprints.
 */
public final class EntraChild {
  private static long OFFSET_SECONDS;
  private static final AtomicLong NOW = new AtomicLong(Instant.now().toEpochMilli());
  static final String BASE_URL = "https://example.openai.azure.com/openai/v1";
  private static final URI MODEL = URI.create("http://127.0.0.1:9/v1/chat/completions");

  private EntraChild() {}

  public static void main(String[] args) throws Exception {
    InstantSource clock = () -> Instant.ofEpochMilli(NOW.get());
    TokenCache.Builder caching = TokenCache.builder().clock(clock);
    String fetchTimeout = System.getProperty("fetchTimeoutMillis");
    if (fetchTimeout != null) {
      caching.fetchTimeout(java.time.Duration.ofMillis(Long.parseLong(fetchTimeout)));
    }
    TokenCache cache = caching.build();
    LlmAuthConfig config = LlmAuthConfig.of(provider(args[0]));
    try (LlmAuth auth = LlmAuth.builder().config(config).tokenCache(cache).clock(clock).build()) {
      RequestAuthenticator authenticator = auth.authenticator("p");
      System.out.println("OUT resolved " + authenticator.method() + " | " + authenticator.describe());
      Authorization last = null;
      for (int i = 1; i < args.length; i++) {
        String cmd = args[i];
        try {
          switch (cmd) {
            case "authorize" -> {
              int n = Integer.parseInt(args[++i]);
              int threads = Integer.parseInt(args[++i]);
              Set<String> seen = ConcurrentHashMap.newKeySet();
              ExecutorService pool = Executors.newFixedThreadPool(threads);
              List<Future<Authorization>> futures = new ArrayList<>();
              for (int k = 0; k < n; k++) {
                futures.add(pool.submit(() -> authenticator.authorize(request(Map.of()))));
              }
              try {
                for (Future<Authorization> f : futures) {
                  last = f.get();
                  seen.add(bearer(last));
                }
              } finally {
                pool.shutdown();
              }
              System.out.println("OUT authorize " + seen.size() + " " + bearer(last));
            }
            case "advance" -> {
              long seconds = Long.parseLong(args[++i]);
              NOW.addAndGet(seconds * 1000);
              OFFSET_SECONDS += seconds;
              String configure = System.getenv("MOCK_IDENTITY_CONFIGURE");
              if (configure != null) {
                java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(configure))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"clockOffsetSeconds\": "
                        + OFFSET_SECONDS + "}")).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
              }
              System.out.println("OUT advance");
            }
            case "await-new" -> {
              String before = bearer(last);
              String now = before;
              for (int tries = 0; tries < 400 && now.equals(before); tries++) {
                Thread.sleep(25);
                last = authenticator.authorize(request(Map.of()));
                now = bearer(last);
              }
              System.out.println("OUT await-new " + now);
            }
            case "waiting" -> {
              // Threads still inside an identity exchange: the managed-identity client's or azure-identity's send.
              int waiting = waitingThreads();
              for (int tries = 0; tries < 200 && waiting > 0; tries++) {
                Thread.sleep(25);
                waiting = waitingThreads();
              }
              System.out.println("OUT waiting " + waiting);
            }
            case "msal-delay" -> {
              // MSAL's own hook for fast tests: its retry pauses are static package-private fields. The counts and
              // the choice of statuses stay MSAL's.
              int ms = Integer.parseInt(args[++i]);
              for (String policy : List.of("ManagedIdentityRetryPolicy", "IMDSRetryPolicy")) {
                java.lang.reflect.Method m = Class.forName("com.microsoft.aad.msal4j." + policy)
                    .getDeclaredMethod("setRetryDelayMs", int.class);
                m.setAccessible(true);
                m.invoke(null, ms);
              }
              System.out.println("OUT msal-delay");
            }
            case "configure" -> {
              String json = args[++i];
              java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                  URI.create(System.getenv("MOCK_IDENTITY_CONFIGURE")))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                  java.net.http.HttpResponse.BodyHandlers.discarding());
              System.out.println("OUT configure");
            }
            case "token" -> {
              dev.llmauth.api.AccessToken t = direct(args[0], cache, clock).token().get();
              long now = NOW.get() / 1000;
              System.out.println("OUT token " + fp(t.value().reveal()) + " expiresIn="
                  + (t.expiresAt().getEpochSecond() - now) + " refreshIn="
                  + (t.refreshAt() == null ? "none" : Long.toString(t.refreshAt().getEpochSecond() - now)));
            }
            case "invalidate" -> System.out.println("OUT invalidate " + authenticator.invalidate(last));
            case "provider-data" -> {
              String name = args[++i];
              String existing = args[++i];
              Authorization a = authenticator.authorize(request(Map.of(name, List.of(existing))));
              last = a;
              StringBuilder out = new StringBuilder();
              a.forEachHeader((k, v) -> {
                if (k.equalsIgnoreCase(name)) {
                  out.append(v);
                }
              });
              String value = out.toString();
              String token = tokenOf(a, name);
              System.out.println("OUT provider-data " + value.replace(token, fp(token)) + " removes="
                  + a.headersToRemove());
            }
            case "cancel" -> {
              CompletableFuture<Authorization> f = authenticator.authorizeAsync(request(Map.of()));
              boolean cancelled = f.cancel(true);
              System.out.println("OUT cancel " + cancelled + " " + f.isCancelled());
            }
            case "fail" -> {
              try {
                authenticator.authorize(request(Map.of()));
                System.out.println("OUT fail none");
              } catch (AuthException e) {
                boolean permanent = e instanceof TokenException te && te.isPermanent();
                StringBuilder causes = new StringBuilder();
                for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                  causes.append(" <- ").append(c.getMessage());
                }
                java.time.Duration retryAfter = e instanceof TokenException te ? te.retryAfter() : null;
                System.out.println("OUT fail " + e.code() + " permanent=" + permanent + " retryAfter=" + retryAfter
                    + " message=" + e.getMessage()
                    + " causes=" + causes.toString().replace('\n', ' '));
              }
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
          }
        } catch (Exception e) {
          StringBuilder causes = new StringBuilder();
          for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            causes.append(" <- ").append(c.getMessage());
          }
          System.out.println("OUT error " + cmd + " " + e + causes.toString().replace('\n', ' '));
        }
      }
      System.out.println("OUT stats " + cache.stats().fetches());
    }
    System.out.flush();
    System.exit(0);
  }

  private static int waitingThreads() {
    int n = 0;
    for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
      for (StackTraceElement frame : stack) {
        String c = frame.getClassName();
        if (frame.getMethodName().equals("send") && (c.endsWith("AzureSources$IdentityHttpClient")
            || c.equals("com.azure.identity.implementation.HttpPipelineAdapter"))
            || c.startsWith("dev.llmauth.entra.IdentityAnswerPolicy")) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  private static dev.llmauth.api.spi.@org.jspecify.annotations.Nullable Credential DIRECT;

  /** A credential made by the provider itself, so that the token the cache holds can be inspected. */
  private static dev.llmauth.api.spi.Credential direct(String spec, TokenCache cache, InstantSource clock) {
    if (DIRECT == null) {
      Map<String, String> env = System.getenv();
      DIRECT = new EntraMethod().create(provider(spec), new dev.llmauth.api.spi.ResolutionContext() {
        @Override
        public TokenCache tokenCache() {
          return cache;
        }

        @Override
        public Map<String, String> environment() {
          return env;
        }

        @Override
        public InstantSource clock() {
          return clock;
        }
      });
    }
    return DIRECT;
  }

  /**
   * Builds the provider from {@code key=value} pairs separated by {@code ;}: {@code mi} (managed identity, with
   * optional {@code clientId}, {@code objectId}, {@code resourceId}, {@code scope}, {@code timeout}, {@code
   * connectTimeout}), {@code entra} (the chain, with optional {@code scope}, {@code timeout}), {@code
   * providerDataHeader}.
   */
  static ProviderConfig provider(String spec) {
    Map<String, String> kv = new java.util.HashMap<>();
    for (String pair : spec.split(";")) {
      int eq = pair.indexOf('=');
      kv.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
    }
    ProviderConfig.Builder b = ProviderConfig.builder("p").baseUrl(BASE_URL);
    String scope = kv.getOrDefault("scope", EntraSettings.DEFAULT_SCOPE);
    if (kv.containsKey("mi")) {
      Map<String, String> mi = new java.util.LinkedHashMap<>();
      for (String selector : List.of("clientId", "objectId", "resourceId", "timeout", "connectTimeout")) {
        if (kv.get(selector) != null) {
          mi.put(selector, kv.get(selector));
        }
      }
      mi.put("scope", scope);
      b.set("managedIdentity", mi);
    }
    if (kv.containsKey("entra")) {
      Map<String, String> chain = new java.util.LinkedHashMap<>();
      chain.put("scope", scope);
      if (kv.get("timeout") != null) {
        chain.put("timeout", kv.get("timeout"));
      }
      b.set("entra", chain);
    }
    if (kv.containsKey("providerDataHeader")) {
      b.providerDataHeader(kv.get("providerDataHeader"));
    }
    return b.build();
  }

  private static OutgoingRequest request(Map<String, List<String>> headers) {
    return OutgoingRequest.of("POST", MODEL, headers);
  }

  private static String bearer(Authorization a) {
    String[] out = {"none"};
    a.forEachHeader((k, v) -> {
      if (k.equalsIgnoreCase("Authorization")) {
        out[0] = fp(v.substring("Bearer ".length()));
      }
    });
    return out[0];
  }

  private static String tokenOf(Authorization a, String header) {
    String[] out = {""};
    a.forEachHeader((k, v) -> {
      if (k.equalsIgnoreCase(header)) {
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(v).getAsJsonObject();
        out[0] = o.get("azure_api_key").getAsString();
      }
    });
    return out[0];
  }

  static String fp(String token) {
    return Secret.of(token).fingerprint().replace(' ', '_');
  }
}
