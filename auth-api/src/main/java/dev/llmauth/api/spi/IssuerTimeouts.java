package dev.llmauth.api.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a method waits for its issuer: to connect, and for one whole exchange (connecting, the status and headers,
 * and the body to its last byte). {@link IssuerCall} enforces both. Each method has defaults of its own and lets a
 * provider change them in its configuration block, with the keys {@value #CONNECT_KEY} and {@value #EXCHANGE_KEY}
 * read by {@link #read}, in the form of {@link ConfigNode#duration()}:
 *
 * <pre>{@code
 * "managedIdentity": {"timeout": "5s", "connectTimeout": "2s"}
 * }</pre>
 *
 * <p>In a method's {@link CredentialMethod#parseConfig}:
 *
 * <pre>{@code
 * static final IssuerTimeouts DEFAULTS = new IssuerTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
 *
 * ConfigNode block = provider.get("myMethod").object("issuer", IssuerTimeouts.CONNECT_KEY,
 *     IssuerTimeouts.EXCHANGE_KEY);
 * IssuerTimeouts timeouts = DEFAULTS.read(block);
 * }</pre>
 *
 * @param connect how long connecting may take
 * @param exchange how long the whole exchange may take, connecting included
 */
public record IssuerTimeouts(Duration connect, Duration exchange) {
  /** The configuration key of {@link #connect()}. */
  public static final String CONNECT_KEY = "connectTimeout";
  /** The configuration key of {@link #exchange()}. */
  public static final String EXCHANGE_KEY = "timeout";

  /**
   * Requires both durations, each more than zero.
   *
   * @throws IllegalArgumentException when one is zero or negative
   */
  public IssuerTimeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(exchange, "exchange");
    if (connect.isNegative() || connect.isZero() || exchange.isNegative() || exchange.isZero()) {
      throw new IllegalArgumentException("issuer timeouts must be more than zero, got connect=" + connect
          + ", exchange=" + exchange);
    }
  }

  /**
   * Returns these timeouts with the ones {@code block} sets: {@value #CONNECT_KEY} and {@value #EXCHANGE_KEY}, each
   * optional. The block's other keys are the method's to check.
   *
   * @param block the method's configuration block; a missing block sets nothing
   * @return the timeouts, these where the block sets none
   * @throws dev.llmauth.api.ConfigException naming the key's path when a value is not a duration, or is zero or more
   *     than a day
   */
  public IssuerTimeouts read(ConfigNode block) {
    if (block.isMissing()) {
      return this;
    }
    Duration c = block.get(CONNECT_KEY).duration();
    Duration e = block.get(EXCHANGE_KEY).duration();
    return new IssuerTimeouts(c == null ? connect : c, e == null ? exchange : e);
  }
}
