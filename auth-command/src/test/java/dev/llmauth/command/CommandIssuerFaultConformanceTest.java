package dev.llmauth.command;

import dev.llmauth.conformance.AdapterDriver;
import dev.llmauth.conformance.drivers.AdapterDrivers;
import dev.llmauth.conformance.IssuerFaultVerification;
import dev.llmauth.conformance.MethodFixture;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Named;

/**
 * The kit's issuer-fault rules (F1-F9) with a misbehaving command on llm-auth's java.net.http adapter: a command
 * that hangs, prints broken JSON, JSON without {@code token}, an expired token or megabytes. Faults with no
 * counterpart for a command (HTTP statuses, a reset connection) are skipped with that reason.
 */
class CommandIssuerFaultConformanceTest extends IssuerFaultVerification {
  @Override
  protected AdapterDriver adapter() {
    return AdapterDrivers.jdk();
  }

  @Override
  protected List<Named<Supplier<MethodFixture>>> methods() {
    return List.of(MethodFixture.named(CommandMethod.METHOD, CommandFixture::new));
  }
}
