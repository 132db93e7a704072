package dev.llmauth.conformance.matrix;

import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.drivers.AdapterDrivers;
import dev.llmauth.conformance.HttpAdapterVerification;
import dev.llmauth.conformance.MethodFixture;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;

/** The adapter rules for the ApacheClassic adapter, with every credential method. */
@ExtendWith(LeakWatch.class)
class ApacheClassicAdapterConformanceTest extends HttpAdapterVerification {
  @Override
  protected AdapterDriver adapter() {
    return AdapterDrivers.apacheClassic();
  }

  @Override
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return Methods.all();
  }
}
