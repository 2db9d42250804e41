package io.webrtcgw.source.rtsp;

import java.time.Duration;

/** Capped exponential backoff between reconnection attempts: 1 s, 2 s, 4 s... up to the cap. */
final class Backoff {
  private final Duration initial;
  private final Duration max;
  private Duration next;

  Backoff(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max");
    }
    this.initial = initial;
    this.max = max;
    this.next = initial;
  }

  /** The wait before the next attempt; each call doubles the one after, up to the cap. */
  Duration next() {
    Duration now = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(max) > 0 ? max : doubled;
    return now;
  }

  /** After a success the next failure waits the initial time again. */
  void reset() {
    next = initial;
  }
}
