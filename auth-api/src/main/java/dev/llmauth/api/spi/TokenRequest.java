package dev.llmauth.api.spi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a token is for: the scopes and, where the source serves several, the identity (for example a managed
 * identity's client id). Together with the source it keys the {@link dev.llmauth.api.TokenCache}.
 *
 * @param scopes the scopes, possibly empty, never {@code null}
 * @param identity the identity selector, or {@code null} for the source's default identity
 */
public record TokenRequest(List<String> scopes, @Nullable String identity) {
  /** Copies {@code scopes}, so the request stays immutable. */
  public TokenRequest {
    scopes = List.copyOf(Objects.requireNonNull(scopes, "scopes"));
  }

  /**
   * A request for one scope and the source's default identity.
   *
   * @param scope the scope, for example {@code https://cognitiveservices.azure.com/.default}
   * @return the request
   */
  public static TokenRequest forScope(String scope) {
    return new TokenRequest(List.of(scope), null);
  }

  /**
   * A request without scopes, for sources that serve one token (a stored sign-in, a file).
   *
   * @return the request
   */
  public static TokenRequest none() {
    return new TokenRequest(List.of(), null);
  }
}
