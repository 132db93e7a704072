package dev.llmauth.conformance.drivers;

import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.HttpAdapterVerification;
import dev.llmauth.conformance.IssuerFaultVerification;
import dev.llmauth.conformance.MethodFixture;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;

/**
 * Your credential methods through every llm-auth adapter: the adapter rules ({@link HttpAdapterVerification},
 * A1–A15 and R1–R4) and the issuer-fault rules ({@link IssuerFaultVerification}, F1–F11) over java.net.http,
 * OkHttp, Apache HttpClient 5 classic and Apache HttpClient 5 async, one nested class each. Subclass it and list
 * your fixtures:
 *
 * <pre>{@code
 * class MyMethodOverLlmAuthAdaptersTest extends LlmAuthAdaptersVerification {
 *   protected List<Named<Supplier<MethodFixture>>> methods() { return List.of(MethodFixture.named("my", MyFixture::new)); }
 * }
 * }</pre>
 *
 * <p>The OkHttp classes run when the test build has OkHttp 4.12 or 5, and are skipped with the reason otherwise
 * (see {@link AdapterDrivers#okHttp()}). The issuer-fault rules ask the fixtures' {@link
 * MethodFixture#injectFault} and are skipped, with the reason, for faults a method cannot show.
 */
public abstract class LlmAuthAdaptersVerification {
  /** Creates the suite. */
  protected LlmAuthAdaptersVerification() {}

  /**
   * The credential methods every rule runs with, through every adapter; a fresh fixture is created for every
   * test.
   *
   * @return named fixture factories ({@link MethodFixture#named})
   */
  protected abstract List<Named<Supplier<MethodFixture>>> methods();

  /**
   * How long a rule waits for something that should happen promptly; see {@link HttpAdapterVerification#patience()}
   * and {@link IssuerFaultVerification#patience()}.
   *
   * @return 30 seconds by default
   */
  protected Duration patience() {
    return Duration.ofSeconds(30);
  }

  /** The adapter rules through {@link AdapterDrivers#jdk()}. */
  @Nested
  @DisplayName("java.net.http adapter")
  class Jdk extends Adapter {
    Jdk() {
      super(AdapterDrivers::jdk);
    }
  }

  /** The adapter rules through {@link AdapterDrivers#okHttp()}. */
  @Nested
  @DisplayName("OkHttp adapter")
  class OkHttp extends Adapter {
    OkHttp() {
      super(AdapterDrivers::okHttp);
    }
  }

  /** The adapter rules through {@link AdapterDrivers#apacheClassic()}. */
  @Nested
  @DisplayName("Apache HttpClient 5 classic adapter")
  class ApacheClassic extends Adapter {
    ApacheClassic() {
      super(AdapterDrivers::apacheClassic);
    }
  }

  /** The adapter rules through {@link AdapterDrivers#apacheAsync()}. */
  @Nested
  @DisplayName("Apache HttpClient 5 async adapter")
  class ApacheAsync extends Adapter {
    ApacheAsync() {
      super(AdapterDrivers::apacheAsync);
    }
  }

  /** The issuer-fault rules through {@link AdapterDrivers#jdk()}. */
  @Nested
  @DisplayName("issuer faults, java.net.http adapter")
  class JdkIssuerFaults extends Faults {
    JdkIssuerFaults() {
      super(AdapterDrivers::jdk);
    }
  }

  /** The issuer-fault rules through {@link AdapterDrivers#okHttp()}. */
  @Nested
  @DisplayName("issuer faults, OkHttp adapter")
  class OkHttpIssuerFaults extends Faults {
    OkHttpIssuerFaults() {
      super(AdapterDrivers::okHttp);
    }
  }

  /** The issuer-fault rules through {@link AdapterDrivers#apacheClassic()}. */
  @Nested
  @DisplayName("issuer faults, Apache HttpClient 5 classic adapter")
  class ApacheClassicIssuerFaults extends Faults {
    ApacheClassicIssuerFaults() {
      super(AdapterDrivers::apacheClassic);
    }
  }

  /** The issuer-fault rules through {@link AdapterDrivers#apacheAsync()}. */
  @Nested
  @DisplayName("issuer faults, Apache HttpClient 5 async adapter")
  class ApacheAsyncIssuerFaults extends Faults {
    ApacheAsyncIssuerFaults() {
      super(AdapterDrivers::apacheAsync);
    }
  }

  /** {@link HttpAdapterVerification} over one driver, with the outer suite's methods. */
  abstract class Adapter extends HttpAdapterVerification {
    private final Supplier<AdapterDriver> driver;

    Adapter(Supplier<AdapterDriver> driver) {
      this.driver = driver;
    }

    @Override
    protected final AdapterDriver adapter() {
      return driver.get();
    }

    @Override
    protected final List<Named<Supplier<MethodFixture>>> methods() {
      return LlmAuthAdaptersVerification.this.methods();
    }

    @Override
    protected final Duration patience() {
      return LlmAuthAdaptersVerification.this.patience();
    }
  }

  /** {@link IssuerFaultVerification} over one driver, with the outer suite's methods. */
  abstract class Faults extends IssuerFaultVerification {
    private final Supplier<AdapterDriver> driver;

    Faults(Supplier<AdapterDriver> driver) {
      this.driver = driver;
    }

    @Override
    protected final AdapterDriver adapter() {
      return driver.get();
    }

    @Override
    protected final List<Named<Supplier<MethodFixture>>> methods() {
      return LlmAuthAdaptersVerification.this.methods();
    }

    @Override
    protected final Duration patience() {
      return LlmAuthAdaptersVerification.this.patience();
    }
  }
}
