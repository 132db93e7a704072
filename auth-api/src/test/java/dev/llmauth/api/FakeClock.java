package dev.llmauth.api;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told. */
final class FakeClock implements InstantSource {
  private final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  Instant plus(Duration d) {
    return instant().plus(d);
  }

  void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }
}
