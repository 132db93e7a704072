package dev.llmauth.conformance.mock;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An OpenAI-compatible model server on loopback: {@code POST …/chat/completions} and {@code POST …/responses}
 * under any base path (so {@code url("/v1")} and a Codex-style base both work), answering with JSON, or with a
 * stream of server-sent events when the body has {@code "stream": true}.
 *
 * <p>It records every request's headers and body, answers 401 to chosen token values (in any header: {@code
 * Authorization: Bearer}, a key header such as {@code api-key}, {@code x-api-key} or {@code x-goog-api-key}, or
 * {@code azure_api_key} in a JSON header), and can hold streams open
 * after their first event until released, so a test can prove that events arrive as they are sent; {@link
 * #enqueue(Fault)} queues error answers, to drive a client's retries. Control
 * paths: {@code /__control/recorded}, {@code /__control/reset}, {@code /__control/stop} and {@code
 * POST /__control/reject} with a form body {@code token=…}. Run it standalone with {@link #main}.
 */
public final class MockModelServer extends MockServer {
  /** The text every answer carries. */
  public static final String ANSWER = "Hello from the mock model.";

  private volatile @Nullable Set<String> rejected;
  private volatile boolean rejectAll;
  private volatile @Nullable CountDownLatch streamGate;
  private volatile @Nullable AtomicInteger ids;
  private volatile @Nullable Redirect redirect;
  private volatile @Nullable ConcurrentLinkedQueue<Fault> faults;
  private final AtomicInteger held = new AtomicInteger();

  /** Creates a server for a free loopback port; {@link #start()} it. */
  public MockModelServer() {
    this(0);
  }

  /**
   * Creates a server for a given port; {@link #start()} it.
   *
   * @param port the port, or 0 for a free one
   */
  public MockModelServer(int port) {
    super(port);
  }

  @Override
  public MockModelServer start() {
    super.start();
    return this;
  }

  /**
   * The base URL to configure as a provider's {@code baseUrl}: {@code url("/v1")}, as the {@code Listening:} line
   * gives it.
   *
   * @return such as {@code http://127.0.0.1:41234/v1}
   */
  public URI baseUrl() {
    return url("/v1");
  }

  /**
   * Runs the server standalone: prints {@link #listeningLine()} and serves until stopped.
   *
   * @param args {@code [--port P]}
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    serve(args, "MockModelServer", port -> new MockModelServer(port).start());
  }

  private Set<String> rejected() {
    Set<String> r = rejected;
    if (r == null) {
      synchronized (this) {
        r = rejected;
        if (r == null) {
          r = ConcurrentHashMap.newKeySet();
          rejected = r;
        }
      }
    }
    return r;
  }

  private ConcurrentLinkedQueue<Fault> faults() {
    ConcurrentLinkedQueue<Fault> q = faults;
    if (q == null) {
      synchronized (this) {
        q = faults;
        if (q == null) {
          q = new ConcurrentLinkedQueue<>();
          faults = q;
        }
      }
    }
    return q;
  }

  private int nextId() {
    AtomicInteger i = ids;
    if (i == null) {
      synchronized (this) {
        i = ids;
        if (i == null) {
          i = new AtomicInteger();
          ids = i;
        }
      }
    }
    return i.incrementAndGet();
  }

  /**
   * Answers 401 to requests that carry {@code token}.
   *
   * @param token the token value, as sent
   */
  public void rejectToken(String token) {
    rejected().add(token);
  }

  /**
   * Answers 401 to every request, whatever it carries, until {@link #reset()}.
   *
   * @param reject whether to reject everything
   */
  public void rejectAll(boolean reject) {
    rejectAll = reject;
  }

  /**
   * Queues a fault for the next model request that would have succeeded (it is not rejected or redirected); faults
   * are served one per request, in order, before normal answers resume. A way to make a client retry: 429 and 5xx
   * are what SDKs retry. The model server serves {@link Fault#status}, {@link Fault#error}, {@link Fault#answer},
   * {@link Fault#delay}, {@link Fault#stall} and {@link Fault#connectionReset}.
   *
   * @param fault the fault
   * @return this server
   * @throws IllegalArgumentException for a fault the model server does not serve
   */
  public MockModelServer enqueue(Fault fault) {
    Fault.BrokenBody broken = fault.body();
    if (fault.breaksAnswer() || broken == Fault.BrokenBody.SHORT || broken == Fault.BrokenBody.HUGE) {
      throw new IllegalArgumentException("MockModelServer does not serve " + fault
          + ": it serves status, error, answer, delay, stall and connectionReset");
    }
    faults().add(fault);
    return this;
  }

  /** Drops the queued faults not yet used; requests and settings are kept. */
  public void clearFaults() {
    faults().clear();
  }

  /**
   * Holds every stream after its first event until {@link #releaseStreams()} (or a minute).
   */
  public void holdStreams() {
    streamGate = new CountDownLatch(1);
  }

  /**
   * How many streams are being held right now, each after its first event: a client that has received a first
   * event while this is still 1 got it as it was sent, not after the whole body.
   *
   * @return the number of streams waiting for {@link #releaseStreams()}
   */
  public int heldStreams() {
    return held.get();
  }

  /** Lets held streams go on. */
  public void releaseStreams() {
    CountDownLatch gate = streamGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  /**
   * Answers every model request with a redirect to the same path and query on another server, until {@link
   * #reset()}: {@code Location} is {@code origin} followed by the request's path and query.
   *
   * @param status the redirect status, such as 302 or 307
   * @param origin the other server, such as {@code http://localhost:41235}
   */
  public void redirectTo(int status, URI origin) {
    if (status < 300 || status > 399) {
      throw new IllegalArgumentException("a redirect status is 3xx, got " + status);
    }
    redirect = new Redirect(status, URI.create(origin.toString().replaceFirst("/+$", "")));
  }

  /** Forgets recorded requests, rejected tokens, queued faults and redirects, and releases held streams. */
  @Override
  public void reset() {
    super.reset();
    rejected().clear();
    rejectAll = false;
    redirect = null;
    faults().clear();
    releaseStreams();
    streamGate = null;
  }

  @Override
  protected Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("baseUrl", baseUrl().toString());
    m.put("chatCompletions", url("/v1/chat/completions").toString());
    m.put("responses", url("/v1/responses").toString());
    m.putAll(super.describe());
    m.put("reject", url("/__control/reject").toString());
    return m;
  }

  @Override
  protected void routes(HttpServer server) {
    server.createContext("/__control/reject", ex -> {
      String token = formParameters(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
          .get("token");
      if (token == null || token.isEmpty()) {
        respond(ex, 400, "text/plain", "POST a form body token=<value>\n");
        return;
      }
      rejectToken(token);
      respond(ex, 204, null, "");
    });
    server.createContext("/", this::handle);
  }

  private void handle(HttpExchange ex) throws IOException {
    RecordedRequest r = record(ex);
    Redirect to = redirect;
    if (to != null) {
      ex.getResponseHeaders().set("Location", to.origin() + r.uri().toString());
      respond(ex, to.status(), null, "");
      return;
    }
    String path = r.path();
    boolean chat = path.endsWith("/chat/completions");
    boolean responses = path.endsWith("/responses");
    if (!chat && !responses) {
      respond(ex, 404, "application/json", error("no such endpoint: " + path, "not_found"));
      return;
    }
    if (!"POST".equals(r.method())) {
      respond(ex, 405, "application/json", error("use POST", "method_not_allowed"));
      return;
    }
    if (rejectAll || carriesRejected(r)) {
      respond(ex, 401, "application/json", error("Incorrect API key provided.", "invalid_api_key"));
      return;
    }
    Fault fault = faults().poll();
    if (fault != null && fault.delay() != null) {
      try {
        Thread.sleep(fault.delay().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    } else if (fault != null) {
      fail(ex, fault);
      return;
    }
    JsonObject body = parse(r.bodyText());
    String model = body.has("model") && body.get("model").isJsonPrimitive() ? body.get("model").getAsString()
        : "mock-model";
    boolean stream = body.has("stream") && body.get("stream").isJsonPrimitive()
        && body.get("stream").getAsJsonPrimitive().isBoolean() && body.get("stream").getAsBoolean();
    int id = nextId();
    if (stream) {
      stream(ex, chat ? chatEvents(id, model) : responseEvents(id, model));
    } else {
      respond(ex, 200, "application/json", GSON.toJson(chat ? chatCompletion(id, model) : response(id, model)));
    }
  }

  private static void fail(HttpExchange ex, Fault fault) throws IOException {
    String answer = fault.answer();
    Duration stall = fault.stall();
    if (fault.body() == Fault.BrokenBody.RESET) {
      ex.close();
    } else if (stall != null) {
      stall(ex, stall);
    } else if (answer != null) {
      respond(ex, fault.status(), "application/json", answer);
    } else {
      String retryAfter = fault.retryAfter();
      if (retryAfter != null) {
        ex.getResponseHeaders().set("Retry-After", retryAfter);
      }
      String code = fault.errorGiven() ? fault.error() : "mock_failure";
      respond(ex, fault.status(), "application/json",
          code == null ? "" : error("mock failure " + fault.status(), code));
    }
  }

  private boolean carriesRejected(RecordedRequest r) {
    Set<String> tokens = rejected();
    if (tokens.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
      for (String value : h.getValue()) {
        String v = value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7) : value;
        if (tokens.contains(v)) {
          return true;
        }
        if (v.startsWith("{")) {
          JsonObject o = parse(v);
          if (o.has("azure_api_key") && o.get("azure_api_key").isJsonPrimitive()
              && tokens.contains(o.get("azure_api_key").getAsString())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Sends the first event, waits while streams are held, then the rest. */
  private void stream(HttpExchange ex, List<String> events) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      for (int i = 0; i < events.size(); i++) {
        out.write(events.get(i).getBytes(StandardCharsets.UTF_8));
        out.flush();
        CountDownLatch gate = streamGate;
        if (i == 0 && gate != null) {
          held.incrementAndGet();
          try {
            gate.await(1, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } finally {
            held.decrementAndGet();
          }
        }
      }
    } finally {
      ex.close();
    }
  }

  /**
   * The events a chat-completions stream sends, in order, each ending with a blank line: what a client must
   * receive byte for byte.
   *
   * @param id the completion number
   * @param model the model
   * @return the events
   */
  public static List<String> chatEvents(int id, String model) {
    List<String> events = new ArrayList<>();
    String[] words = ANSWER.split(" ");
    for (int i = 0; i < words.length; i++) {
      Map<String, Object> delta = new LinkedHashMap<>();
      if (i == 0) {
        delta.put("role", "assistant");
      }
      delta.put("content", (i == 0 ? "" : " ") + words[i]);
      events.add("data: " + GSON.toJson(chunk(id, model, delta, null)) + "\n\n");
    }
    events.add("data: " + GSON.toJson(chunk(id, model, Map.of(), "stop")) + "\n\n");
    events.add("data: [DONE]\n\n");
    return events;
  }

  private static Map<String, Object> chunk(int id, String model, Map<String, Object> delta,
      @Nullable String finish) {
    Map<String, Object> choice = new LinkedHashMap<>();
    choice.put("index", 0);
    choice.put("delta", delta);
    choice.put("finish_reason", finish);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", "chatcmpl-mock-" + id);
    m.put("object", "chat.completion.chunk");
    m.put("created", 1_700_000_000);
    m.put("model", model);
    m.put("choices", List.of(choice));
    return m;
  }

  private static List<String> responseEvents(int id, String model) {
    List<String> events = new ArrayList<>();
    Map<String, Object> created = new LinkedHashMap<>(response(id, model));
    created.put("status", "in_progress");
    created.put("output", List.of());
    events.add(event("response.created", Map.of("type", "response.created", "response", created)));
    for (String word : ANSWER.split("(?<= )")) {
      events.add(event("response.output_text.delta", Map.of("type", "response.output_text.delta",
          "item_id", "msg_mock_" + id, "output_index", 0, "content_index", 0, "delta", word)));
    }
    events.add(event("response.completed", Map.of("type", "response.completed", "response",
        response(id, model))));
    return events;
  }

  private static String event(String name, Map<String, Object> data) {
    return "event: " + name + "\ndata: " + GSON.toJson(data) + "\n\n";
  }

  private static Map<String, Object> chatCompletion(int id, String model) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", "chatcmpl-mock-" + id);
    m.put("object", "chat.completion");
    m.put("created", 1_700_000_000);
    m.put("model", model);
    m.put("choices", List.of(Map.of("index", 0, "message", Map.of("role", "assistant", "content", ANSWER),
        "finish_reason", "stop")));
    m.put("usage", Map.of("prompt_tokens", 5, "completion_tokens", 5, "total_tokens", 10));
    return m;
  }

  private static Map<String, Object> response(int id, String model) {
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("type", "output_text");
    text.put("text", ANSWER);
    text.put("annotations", List.of());
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "message");
    message.put("id", "msg_mock_" + id);
    message.put("status", "completed");
    message.put("role", "assistant");
    message.put("content", List.of(text));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", "resp_mock_" + id);
    m.put("object", "response");
    m.put("created_at", 1_700_000_000);
    m.put("status", "completed");
    m.put("model", model);
    m.put("output", List.of(message));
    m.put("usage", Map.of("input_tokens", 5, "output_tokens", 5, "total_tokens", 10));
    return m;
  }

  private static String error(String message, String code) {
    return GSON.toJson(Map.of("error", Map.of("message", message, "type", "invalid_request_error", "code", code)));
  }

  private static JsonObject parse(String text) {
    try {
      JsonElement e = JsonParser.parseString(text);
      return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
    } catch (JsonParseException notJson) {
      return new JsonObject();
    }
  }

  private record Redirect(int status, URI origin) {}
}
