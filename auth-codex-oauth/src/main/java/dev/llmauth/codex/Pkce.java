package dev.llmauth.codex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** A PKCE verifier and its S256 challenge (RFC 7636), and random state values. */
final class Pkce {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  final String verifier;
  final String challenge;

  private Pkce(String verifier) {
    this.verifier = verifier;
    this.challenge = challenge(verifier);
  }

  static Pkce generate() {
    return new Pkce(random(64));
  }

  /** @return base64url(SHA-256(verifier)) without padding */
  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return B64.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** @return {@code bytes} random bytes, base64url without padding */
  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  @Override
  public String toString() {
    return "Pkce[S256]";
  }
}
