package dev.llmauth.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.llmauth.api.AuthException;
import dev.llmauth.api.LlmAuth;
import dev.llmauth.api.RequestAuthenticator;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Sends authenticated requests to a provider, several in one process so caching shows. */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = "POST to {baseUrl}{path} through one HTTP client, authenticated; one line per response.")
final class RequestCommand implements Runnable {
  static final String DEFAULT_DATA =
      "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";

  @ParentCommand Cli cli;
  @Mixin ConfigOptions config = new ConfigOptions();

  @Option(names = "--provider", paramLabel = "NAME", required = true, description = "The provider.")
  String provider = "";

  @Option(names = "--client", paramLabel = "CLIENT", defaultValue = "jdk",
      description = "HTTP client: jdk, okhttp or apache (default: ${DEFAULT-VALUE}).")
  String client = "jdk";

  @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
      description = "Send the request N times in this process (default: ${DEFAULT-VALUE}).")
  int repeat = 1;

  @Option(names = "--path", paramLabel = "P", defaultValue = "/chat/completions",
      description = "Path appended to the base URL (default: ${DEFAULT-VALUE}).")
  String path = "/chat/completions";

  @Option(names = "--data", paramLabel = "JSON", description = "Request body (default: a one-message chat request).")
  String data = DEFAULT_DATA;

  @Override
  public void run() {
    HttpClients kind = switch (client) {
      case "jdk", "okhttp", "apache" -> HttpClients.of(client);
      default -> throw new CliException(ExitCodes.USAGE, "unknown --client '" + client
          + "'; use jdk, okhttp or apache");
    };
    if (repeat < 1) {
      throw new CliException(ExitCodes.USAGE, "--repeat must be at least 1, got " + repeat);
    }
    try {
      JsonParser.parseString(data);
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, "--data is not valid JSON");
    }
    try (LlmAuth auth = config.open(cli.env)) {
      RequestAuthenticator a = auth.authenticator(provider);
      String base = a.baseUrl();
      if (base == null) {
        throw new CliException(ExitCodes.USAGE, "provider '" + provider + "' has no baseUrl; set one in the "
            + "configuration");
      }
      URI uri = URI.create(stripSlash(base) + (path.startsWith("/") ? path : "/" + path));
      try (HttpClients.Client c = kind.open(a)) {
        for (int i = 1; i <= repeat; i++) {
          long start = System.nanoTime();
          HttpClients.Reply reply = send(c, uri);
          long ms = (System.nanoTime() - start) / 1_000_000;
          cli.out.printf("%d %d %s (%d bytes, %d ms, %s via %s, token fetches so far: %d)%n", i, reply.status(),
              summary(reply), reply.body().length(), ms, a.method(), kind.id, auth.tokenCache().stats().fetches());
          if (reply.status() / 100 != 2) {
            throw new CliException(ExitCodes.UPSTREAM, uri + " answered " + reply.status() + errorCode(reply));
          }
        }
      }
    }
  }

  private HttpClients.Reply send(HttpClients.Client c, URI uri) {
    try {
      return c.post(uri, data);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.USAGE, "interrupted");
    } catch (IOException e) {
      AuthException auth = authCause(e);
      if (auth != null) {
        throw auth;
      }
      if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException
          || e.getCause() instanceof ConnectException) {
        throw new CliException(ExitCodes.USAGE, "cannot reach " + uri.getScheme() + "://" + uri.getAuthority()
            + ": " + e.getClass().getSimpleName() + "; check the provider's baseUrl", e);
      }
      throw new CliException(ExitCodes.USAGE, "request to " + uri + " failed: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
    }
  }

  static @org.jspecify.annotations.Nullable AuthException authCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof AuthException ae) {
        return ae;
      }
    }
    return null;
  }

  /** The upstream's error code, when it sends the OpenAI error shape; never the message, which may echo a key. */
  private static String errorCode(HttpClients.Reply reply) {
    try {
      JsonElement e = JsonParser.parseString(reply.body());
      if (e.isJsonObject() && e.getAsJsonObject().get("error") instanceof JsonObject err) {
        JsonElement code = err.has("code") && !err.get("code").isJsonNull() ? err.get("code") : err.get("type");
        if (code != null && code.isJsonPrimitive()) {
          return " (" + code.getAsString() + ")";
        }
      }
    } catch (RuntimeException notJson) {
      // no code to show
    }
    return "";
  }

  private static String summary(HttpClients.Reply reply) {
    return reply.status() / 100 == 2 ? "OK" : "ERROR";
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
