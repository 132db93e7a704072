package dev.llmauth.conformance.matrix;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A gateway that treats provider data the way Llama Stack's {@code remote::azure} inference provider does (read
 * in llamastack/llama-stack at d1b6632: {@code src/ogx/providers/remote/inference/azure/config.py:16-24}, the
 * {@code AzureProviderDataValidator} with a required {@code azure_api_key} and a required {@code HttpUrl}
 * {@code azure_api_base}; {@code src/ogx/core/request_headers.py:56-76}, a validation failure drops the whole
 * object; {@code src/ogx/providers/utils/inference/openai_mixin.py:222-227,258-266}, no key means "API key not
 * provided."; {@code src/ogx/providers/remote/inference/azure/azure.py:19-25}, the call goes to the configured
 * base URL, not to {@code azure_api_base}). A header value that is not a JSON object is answered with 500, as
 * Llama Stack 0.7.1 did (at d1b6632, {@code request_headers.py:103-105} logs it and drops the object instead).
 * An honoured object's key reaches the upstream as {@code Authorization: Bearer <key>}.
 */
final class LlamaStackGateway implements AutoCloseable {
  /** What the gateway made of one request's provider data. */
  record Seen(@Nullable String apiBase, @Nullable JsonObject providerData) {}

  private final HttpServer server;
  private final URI upstream;
  private final List<String> headerNames;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Seen> honoured = new CopyOnWriteArrayList<>();

  /**
   * @param upstream the "Azure" endpoint the gateway is configured with, such as a {@code MockModelServer}'s /v1
   * @param headerNames the header names it reads: Llama Stack's and OGX's
   */
  LlamaStackGateway(URI upstream, List<String> headerNames) throws IOException {
    this.upstream = upstream;
    this.headerNames = headerNames;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  /** @return the provider data of each request whose object the validator accepted */
  List<Seen> honoured() {
    return List.copyOf(honoured);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String value = null;
      for (String name : headerNames) {
        value = ex.getRequestHeaders().getFirst(name);
        if (value != null && !value.isEmpty()) {
          break;
        }
      }
      String key = null;
      if (value != null && !value.isEmpty()) {
        JsonElement parsed;
        try {
          parsed = JsonParser.parseString(value);
        } catch (JsonParseException e) {
          parsed = null;
        }
        if (parsed == null || !parsed.isJsonObject()) {
          respond(ex, 500, "{\"detail\":\"Internal server error: An unexpected error occurred.\"}");
          return;
        }
        JsonObject data = parsed.getAsJsonObject();
        String apiKey = string(data, "azure_api_key");
        String apiBase = string(data, "azure_api_base");
        if (apiKey != null && apiBase != null && isHttpUrl(apiBase)) {
          key = apiKey;
          honoured.add(new Seen(apiBase, data));
        }
      }
      if (key == null) {
        respond(ex, 400, "{\"detail\":\"Invalid value: API key not provided. Please provide a valid API key in the "
            + "provider data header, e.g. x-llamastack-provider-data: {\\\"azure_api_key\\\": \\\"<API_KEY>\\\"}.\"}");
        return;
      }
      HttpResponse<byte[]> answer;
      try {
        answer = http.send(HttpRequest.newBuilder(URI.create(upstream + "/chat/completions"))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
      ex.getResponseBody().write(answer.body());
    }
  }

  private static @Nullable String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() && !e.getAsString().isEmpty()
        ? e.getAsString() : null;
  }

  /** What pydantic's {@code HttpUrl} accepts, near enough: http or https with a host. */
  private static boolean isHttpUrl(String s) {
    try {
      URI uri = new URI(s);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
