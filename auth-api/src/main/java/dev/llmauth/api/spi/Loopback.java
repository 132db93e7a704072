package dev.llmauth.api.spi;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The one test of whether a host is the local machine, used wherever llm-auth allows plain {@code http://}: for
 * requests (see {@link dev.llmauth.api.RequestAuthenticator}) and for issuers of credential methods. Credential
 * methods that accept plain http for a local test server should call it rather than write their own.
 *
 * <p>Only these are loopback: the name {@code localhost}; a literal IPv4 address in {@code 127.0.0.0/8}, written as
 * four decimal octets ({@code 127.0.0.1}); and the IPv6 address {@code ::1} (also in brackets, as in a URI, or
 * written out as {@code 0:0:0:0:0:0:0:1}). Names such as {@code 127.attacker.example} or {@code x.localhost}
 * are not: what they resolve to is up to whoever controls the name.
 *
 * <pre>{@code
 * URI issuer = URI.create("http://127.0.0.1:8080");
 * boolean plainHttpAllowed = Loopback.isLoopbackHost(issuer.getHost()); // true
 * }</pre>
 */
public final class Loopback {
  private Loopback() {}

  /**
   * Tells whether {@code host} names the local machine.
   *
   * @param host a host as {@link java.net.URI#getHost()} returns it (IPv6 in brackets or not), or {@code null}
   * @return whether it is {@code localhost}, a literal IPv4 address in {@code 127.0.0.0/8} or {@code ::1}
   */
  public static boolean isLoopbackHost(@Nullable String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || isIpv4Loopback(h);
  }

  /** Four decimal octets of at most three digits, each at most 255, the first 127. */
  private static boolean isIpv4Loopback(String h) {
    String[] octets = h.split("\\.", -1);
    if (octets.length != 4 || !octets[0].equals("127")) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }
}
