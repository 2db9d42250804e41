package io.webrtcgw.source.mjpeg;

import java.time.Duration;

/**
 * How long to wait before the next attempt to reach a camera: the first wait, doubling after each
 * failure up to the longest, and back to the first once pictures flow again. A failure that
 * retrying soon cannot fix (a refused login) waits the longest at once, so a wrong password never
 * becomes a storm of requests.
 */
final class Backoff {
  private final Duration first;
  private final Duration longest;
  private Duration next;

  Backoff(Duration first, Duration longest) {
    if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0) {
      throw new IllegalArgumentException("backoff must run from a positive first wait up to a longer one");
    }
    this.first = first;
    this.longest = longest;
    this.next = first;
  }

  /** The wait before the next attempt after an ordinary failure. */
  synchronized Duration failed() {
    Duration wait = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(longest) > 0 ? longest : doubled;
    return wait;
  }

  /** The wait after a failure that a quick retry cannot fix. */
  synchronized Duration failedHard() {
    next = longest;
    return longest;
  }

  /** Pictures flow again: the next failure starts from the first wait. */
  synchronized void reset() {
    next = first;
  }
}
