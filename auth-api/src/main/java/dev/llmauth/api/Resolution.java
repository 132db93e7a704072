package dev.llmauth.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a provider's credential method was chosen: every method considered, in order, with what it said. This is
 * what {@code llm-auth doctor} prints.
 *
 * @param provider the provider's name
 * @param pinnedAuthMode the {@code authMode} that pinned a method, or {@code null}
 * @param candidates every method considered, in resolution order
 */
public record Resolution(String provider, @org.jspecify.annotations.Nullable String pinnedAuthMode,
    List<Candidate> candidates) {
  /** Copies the list. */
  public Resolution {
    Objects.requireNonNull(provider, "provider");
    candidates = List.copyOf(candidates);
  }

  /** @return the chosen method, or empty when none could serve */
  public Optional<Candidate> chosen() {
    return candidates.stream().filter(c -> c.status() == Status.CHOSEN).findFirst();
  }

  /** What one method said. */
  public enum Status {
    /** This method serves the provider. */
    CHOSEN,
    /** This method cannot serve the provider; the detail says why. */
    SKIPPED,
    /** This method could serve, but one earlier in the order was chosen. */
    AVAILABLE
  }

  /**
   * One method considered.
   *
   * @param method the method id
   * @param priority its place in the order
   * @param status chosen, skipped or available
   * @param detail why it was skipped, or what it uses
   */
  public record Candidate(String method, int priority, Status status, String detail) {}
}
