package dev.llmauth.api;

import java.util.random.RandomGenerator;

/** Jitter that always picks the ceiling, so the cache's backoff is deterministic in tests. */
final class MaxJitter implements RandomGenerator {
  @Override
  public long nextLong() {
    return 0;
  }

  @Override
  public long nextLong(long bound) {
    return bound - 1;
  }
}
