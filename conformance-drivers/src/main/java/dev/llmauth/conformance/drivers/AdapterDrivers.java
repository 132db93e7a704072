package dev.llmauth.conformance.drivers;

import dev.llmauth.conformance.AdapterDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The kit's {@link AdapterDriver}s for llm-auth's own adapters, to run {@link
 * dev.llmauth.conformance.HttpAdapterVerification} and {@link dev.llmauth.conformance.IssuerFaultVerification}
 * with a credential method through the adapters an application would use:
 *
 * <pre>{@code
 * class MyMethodOverOkHttpTest extends HttpAdapterVerification {
 *   protected AdapterDriver adapter() { return AdapterDrivers.okHttp(); }
 *   protected List<Named<Supplier<MethodFixture>>> methods() { return List.of(MethodFixture.named("my", MyFixture::new)); }
 * }
 * }</pre>
 *
 * <p>For all four at once, extend {@link LlmAuthAdaptersVerification}. Each driver sends the way its client's
 * users do, with its asynchronous call where the client has one, and routes per request through {@link
 * dev.llmauth.api.ProviderRouter} as the adapter documents (rules R1–R4).
 *
 * <p>The java.net.http and Apache HttpClient 5 drivers come with their clients. OkHttp is the test build's own
 * choice, 4.12 ({@code com.squareup.okhttp3:okhttp}) or 5 ({@code com.squareup.okhttp3:okhttp-jvm}); without it
 * {@link #okHttp()} skips the suite that asks for it and {@link #all()} leaves it out.
 */
public final class AdapterDrivers {
  private static final String OKHTTP_MODULE = "okhttp3";
  private static final String OKHTTP_ADAPTER_MODULE = "dev.llmauth.http.okhttp";

  private AdapterDrivers() {}

  /**
   * {@code LlmAuthHttpClient.wrap} around {@code HttpClient.newHttpClient()} (which does not follow redirects):
   * {@code send} and {@code sendAsync}; routes by the header {@code ProviderRouter.HEADER}.
   *
   * @return the driver, named {@code jdk}
   */
  public static AdapterDriver jdk() {
    return new JdkDriver();
  }

  /**
   * {@code LlmAuthInterceptor.install} on a new {@code OkHttpClient.Builder} (which follows redirects): {@code
   * execute} and {@code enqueue}, one-shot bodies; routes by the request tag {@code ProviderRouter.Route}.
   *
   * @return the driver, named {@code okhttp}
   * @throws org.opentest4j.TestAbortedException (a failed JUnit assumption, so the suite is skipped with the
   *     reason) when OkHttp is not on the class path, or on the module path not in the module graph
   */
  public static AdapterDriver okHttp() {
    Optional<String> missing = okHttpMissing();
    Assumptions.assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
    return new OkHttpDriver();
  }

  /**
   * {@code LlmAuthExecChainHandler.install} on {@code HttpClients.custom()}, a classic client that follows
   * redirects: {@code execute}, with a thread and {@code cancel()} as its asynchronous call; one-shot bodies;
   * routes by the context attribute {@code ProviderRouter.ATTRIBUTE}.
   *
   * @return the driver, named {@code apache-classic}
   */
  public static AdapterDriver apacheClassic() {
    return new ApacheClassicDriver();
  }

  /**
   * {@code LlmAuthAsyncExecChainHandler.install} on {@code HttpAsyncClients.custom()}, streaming each response
   * body to the caller as it arrives; one-shot bodies; routes by the context attribute {@code
   * ProviderRouter.ATTRIBUTE}.
   *
   * @return the driver, named {@code apache-async}
   */
  public static AdapterDriver apacheAsync() {
    return new ApacheAsyncDriver();
  }

  /**
   * @return the drivers of every adapter that can run here: java.net.http, OkHttp (when OkHttp is there), Apache
   *     classic and Apache async
   */
  public static List<AdapterDriver> all() {
    List<AdapterDriver> drivers = new ArrayList<>();
    drivers.add(jdk());
    if (okHttpMissing().isEmpty()) {
      drivers.add(new OkHttpDriver());
    }
    drivers.add(apacheClassic());
    drivers.add(apacheAsync());
    return List.copyOf(drivers);
  }

  /** Why the OkHttp driver cannot run here, or empty when it can. */
  static Optional<String> okHttpMissing() {
    Module self = AdapterDrivers.class.getModule();
    if (self.isNamed()) {
      ModuleLayer layer = self.getLayer();
      for (String name : List.of(OKHTTP_MODULE, OKHTTP_ADAPTER_MODULE)) {
        boolean read = layer != null && layer.findModule(name).filter(self::canRead).isPresent();
        if (!read) {
          return Optional.of("the OkHttp driver needs module " + name + " in the module graph; add OkHttp 4.12 "
              + "(com.squareup.okhttp3:okhttp) or 5 (com.squareup.okhttp3:okhttp-jvm) and http-adapters-okhttp, "
              + "and --add-modules " + name + " if no module requires it");
        }
      }
      return Optional.empty();
    }
    ClassLoader loader = AdapterDrivers.class.getClassLoader();
    for (String type : List.of("okhttp3.OkHttpClient", "dev.llmauth.http.okhttp.LlmAuthInterceptor")) {
      try {
        Class.forName(type, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        return Optional.of("the OkHttp driver needs " + type + " on the class path; add OkHttp 4.12 "
            + "(com.squareup.okhttp3:okhttp) or 5 (com.squareup.okhttp3:okhttp-jvm) to the test dependencies");
      }
    }
    return Optional.empty();
  }
}
