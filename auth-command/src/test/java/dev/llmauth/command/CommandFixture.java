package dev.llmauth.command;

import dev.llmauth.api.Secret;
import dev.llmauth.api.config.ProviderConfig;
import dev.llmauth.api.spi.CredentialMethod;
import dev.llmauth.conformance.IssuerFault;
import dev.llmauth.conformance.MethodFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The command method for the conformance kit: a provider's {@code command} block runs a POSIX {@code sh} script, a
 * real child process, that prints a new JSON token on every run, counts its runs in a file, waits while a {@code
 * hold} file exists and fails while a {@code fail} file exists. Public (and shipped in this module's test jar) for
 * conformance-matrix, which runs it through every suite and adapter.
 *
 * <p>A command has no HTTP issuer: of the issuer faults it can show a stall ({@link IssuerFault#TIMEOUT}, with the
 * command's {@code timeout} shortened to a second), broken or token-less output, an expired token and output past
 * the method's cap. Statuses, resets, trickles and {@code Retry-After} have no counterpart, so those rules (F10
 * included) are skipped with the kit's reason.
 */
public final class CommandFixture implements MethodFixture {
  private final Path dir;
  private final Path script;
  /** The faults a command can show; the rest (HTTP statuses, resets) have no counterpart. */
  private static final Set<IssuerFault> FAULTS = EnumSet.of(IssuerFault.TIMEOUT, IssuerFault.MALFORMED,
      IssuerFault.MISSING_TOKEN, IssuerFault.EXPIRED_TOKEN, IssuerFault.HUGE_BODY);
  private String timeout = "20s";
  private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);

  /** Writes the script into a new temporary directory, removed by {@link #close()}. */
  public CommandFixture() {
    try {
      dir = Files.createTempDirectory("command-fixture");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    script = Scripts.write(dir, "helper", String.join("\n",
        "d='" + dir + "'",
        "while [ -e \"$d/hold\" ]; do sleep 0.01; done",
        "echo run >> \"$d/runs\"",
        "n=$(wc -l < \"$d/runs\" | tr -d ' ')",
        "if [ -e \"$d/fail\" ]; then echo 'helper: the vault is sealed' >&2; exit 2; fi",
        "if [ -e \"$d/fault\" ]; then case $(cat \"$d/fault\") in",
        "  TIMEOUT) sleep 60 ;;",
        "  MALFORMED) echo '{\"token\": \"cut-'; exit 0 ;;",
        "  MISSING_TOKEN) echo '{\"access_token\": \"elsewhere\"}'; exit 0 ;;",
        "  EXPIRED_TOKEN) printf '{\"token\": \"cmd-%s-old\", \"expires_at\": 1000000000}' \"$TAG\"; exit 0 ;;",
        "  HUGE_BODY) head -c 3000000 /dev/zero | tr '\\0' 'a'; exit 0 ;;",
        "esac; fi",
        "printf 'cmd-%s-%s' \"$TAG\" \"$n\" > \"$d/last.tmp\" && mv \"$d/last.tmp\" \"$d/last\"",
        "life=3600; if [ -e \"$d/lifetime\" ]; then life=$(cat \"$d/lifetime\"); fi",
        "printf '{\"token\": \"cmd-%s-%s\", \"expires_in\": %s}\\n' \"$TAG\" \"$n\" \"$life\""));
  }

  @Override
  public String method() {
    return CommandMethod.METHOD;
  }

  @Override
  public CredentialMethod credentialProvider() {
    return new CommandMethod();
  }

  @Override
  public void configure(ProviderConfig.Builder provider) {
    provider.set(CommandSpec.FIELD,
        Scripts.block(List.of(script.toString()), Map.of("env", Map.of("TAG", tag), "timeout", timeout)));
  }

  /** The default {@code sendAs: apiKey} sends like the {@code apiKey} field. */
  @Override
  public boolean sendsApiKeyHeaderOnAzure() {
    return true;
  }

  @Override
  public Map<String, String> environment() {
    return Scripts.environment();
  }

  @Override
  public Secret currentToken() {
    try {
      return Secret.of(Files.readString(dir.resolve("last")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public OptionalInt fetches() {
    return OptionalInt.of(Scripts.lines(dir.resolve("runs")));
  }

  @Override
  public Runnable holdIssuer() {
    Path hold = dir.resolve("hold");
    try {
      Files.createFile(hold);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return () -> {
      try {
        Files.deleteIfExists(hold);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @Override
  public boolean failIssuer() {
    try {
      Files.createFile(dir.resolve("fail"));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean injectFault(IssuerFault fault) {
    if (!FAULTS.contains(fault)) {
      return false;
    }
    if (fault == IssuerFault.TIMEOUT) {
      timeout = "1s";
    }
    try {
      Files.writeString(dir.resolve("fault"), fault.name());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return true;
  }

  /** The script prints {@code expires_in}, which the method reads against the resolution context's clock. */
  @Override
  public boolean issueTokensLiving(Duration lifetime, InstantSource clock) {
    try {
      Files.writeString(dir.resolve("lifetime"), Long.toString(lifetime.toSeconds()));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void clearFaults() {
    try {
      Files.deleteIfExists(dir.resolve("fault"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every token the script could have printed so far, and the next few. */
  @Override
  public List<Secret> secrets() {
    List<Secret> secrets = new ArrayList<>();
    for (int i = 1; i <= fetches().getAsInt() + 2; i++) {
      secrets.add(Secret.of("cmd-" + tag + "-" + i));
    }
    secrets.add(Secret.of("cmd-" + tag + "-old"));
    return secrets;
  }

  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
