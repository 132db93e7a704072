package dev.llmauth.command;

import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.drivers.AdapterDrivers;
import dev.llmauth.conformance.HttpAdapterVerification;
import dev.llmauth.conformance.MethodFixture;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/** The kit's HTTP rules (A1-A15) with the command method on llm-auth's java.net.http adapter. */
class CommandOverJdkClientConformanceTest extends HttpAdapterVerification {
  @Override
  protected AdapterDriver adapter() {
    return AdapterDrivers.jdk();
  }

  @Override
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return List.of(MethodFixture.named(CommandMethod.METHOD, CommandFixture::new));
  }
}
