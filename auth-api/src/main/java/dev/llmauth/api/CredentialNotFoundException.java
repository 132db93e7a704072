package dev.llmauth.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * No credential method could serve a provider. The message lists each method and why it was skipped, for
 * example {@code api-key: no apiKey set; codex-oauth: no sign-in stored at ~/.codex/auth.json; entra: no
 * baseUrl}; {@link #resolution()} has the same as data.
 */
public class CredentialNotFoundException extends AuthException {
  private static final long serialVersionUID = 1L;

  private final transient Resolution resolution;

  /**
   * Creates the error from a resolution that chose nothing.
   *
   * @param resolution what each method said
   * @param hint what to do, appended to the message
   */
  public CredentialNotFoundException(Resolution resolution, String hint) {
    super(CREDENTIAL_NOT_FOUND, message(resolution, hint));
    this.resolution = resolution;
  }

  /** @return each method considered and why it was skipped */
  public Resolution resolution() {
    return resolution;
  }

  private static String message(Resolution resolution, String hint) {
    List<Resolution.Candidate> candidates = resolution.candidates();
    String reasons = candidates.isEmpty()
        ? "no credential method is installed"
        : candidates.stream().map(c -> c.method() + ": " + c.detail()).collect(Collectors.joining("; "));
    return "no credential for provider '" + resolution.provider() + "': " + reasons
        + (hint.isEmpty() ? "" : ". " + hint);
  }
}
