package dev.llmauth.api;

import dev.llmauth.api.spi.Credential;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The header edits that authenticate one request: headers to remove, then headers to set. An adapter applies
 * them to its own copy of the request and hands the whole object back to {@link
 * RequestAuthenticator#invalidate(Authorization)} when the server answers 401.
 *
 * <p>Apply in this order: remove every header named by {@link #headersToRemove()} (case-insensitively), then
 * set each header given to {@link #forEachHeader}. Values may be secrets: this class never shows them, and
 * neither should the adapter.
 */
public final class Authorization {
  private final Credential credential;
  private final AccessToken token;
  private final List<String> removals;
  private final Map<String, String> sets;

  Authorization(Credential credential, AccessToken token, List<String> removals, LinkedHashMap<String, String> sets) {
    this.credential = credential;
    this.token = token;
    this.removals = List.copyOf(removals);
    this.sets = Collections.unmodifiableMap(sets);
  }

  /**
   * Lower-case names of headers to remove before setting: the conflicting credential headers and every header
   * that is about to be set.
   *
   * @return the names, lower case
   */
  public List<String> headersToRemove() {
    return removals;
  }

  /** @return the names of the headers to set, in order */
  public Set<String> headerNames() {
    return sets.keySet();
  }

  /**
   * Passes each header to set, with its value, to {@code setter}.
   *
   * @param setter receives name and value
   */
  public void forEachHeader(BiConsumer<String, String> setter) {
    sets.forEach(setter);
  }

  /** @return the method that produced this authorization, such as {@code entra} */
  public String method() {
    return credential.method();
  }

  /** @return when the token expires (a static key: {@link java.time.Instant#MAX}) */
  public java.time.Instant expiresAt() {
    return token.expiresAt();
  }

  /**
   * Describes the token for humans without showing it: its length and a short hash.
   *
   * @return for example {@code [redacted] sha256:1f2e3d4c (1024 chars)}
   */
  public String redactedToken() {
    return token.value() + " " + token.value().fingerprint();
  }

  Credential credential() {
    return credential;
  }

  AccessToken token() {
    return token;
  }

  /** Shows the method and the header names, never a value. */
  @Override
  public String toString() {
    return "Authorization[method=" + credential.method() + ", remove=" + removals + ", set=" + sets.keySet() + "]";
  }
}
