package dev.llmauth.cli;

import dev.llmauth.api.RequestAuthenticator;
import dev.llmauth.http.apache.LlmAuthExecChainHandler;
import dev.llmauth.http.jdk.LlmAuthHttpClient;
import dev.llmauth.http.okhttp.LlmAuthInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/** The three HTTP clients, each wrapped by its llm-auth adapter, behind one "POST JSON" call. */
enum HttpClients {
  JDK("jdk"),
  OKHTTP("okhttp"),
  APACHE("apache");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  final String id;

  HttpClients(String id) {
    this.id = id;
  }

  /** A status and a body. */
  record Reply(int status, String body) {}

  /** A client bound to one authenticator; close it when done. */
  interface Client extends AutoCloseable {
    Reply post(URI uri, String json) throws IOException, InterruptedException;

    @Override
    void close();
  }

  static HttpClients of(String id) {
    for (HttpClients c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(id);
  }

  Client open(RequestAuthenticator auth) {
    return switch (this) {
      case JDK -> {
        HttpClient client = LlmAuthHttpClient.wrap(HttpClient.newBuilder().connectTimeout(TIMEOUT).build(), auth);
        yield new Client() {
          @Override
          public Reply post(URI uri, String json) throws IOException, InterruptedException {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
          }

          @Override
          public void close() {}
        };
      }
      case OKHTTP -> {
        OkHttpClient client = LlmAuthInterceptor.install(new OkHttpClient.Builder().callTimeout(TIMEOUT), auth)
            .build();
        yield new Client() {
          @Override
          public Reply post(URI uri, String json) throws IOException {
            okhttp3.Request request = new okhttp3.Request.Builder().url(uri.toString())
                .post(RequestBody.create(json, MediaType.get("application/json"))).build();
            try (okhttp3.Response r = client.newCall(request).execute()) {
              return new Reply(r.code(), r.body().string());
            }
          }

          @Override
          public void close() {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
          }
        };
      }
      case APACHE -> {
        CloseableHttpClient client = LlmAuthExecChainHandler
            .install(org.apache.hc.client5.http.impl.classic.HttpClients.custom(), auth).build();
        yield new Client() {
          @Override
          public Reply post(URI uri, String json) throws IOException {
            HttpPost post = new HttpPost(uri);
            post.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
            return client.execute(post, r -> new Reply(r.getCode(),
                r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8)));
          }

          @Override
          public void close() {
            try {
              client.close();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
      }
    };
  }
}
