package io.webrtcgw.publish;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long a publication waits before its next attempt. An endpoint that is away (unreachable, a
 * 5xx, a connection that died) is tried again soon and then every {@code max} at most: such an
 * attempt costs one POST of the offer already made, no new negotiation, so the publication is
 * back within moments of the endpoint's return. An endpoint that refuses the request (a 4xx, an
 * answer that is not WHIP) is tried again slowly, since it will most likely refuse again until
 * someone changes its settings or the gateway's.
 *
 * @param first the wait after the first failure of an endpoint that is away
 * @param max the longest wait for an endpoint that is away
 * @param refusedFirst the wait after the first refusal
 * @param refusedMax the longest wait after refusals
 * @param jitter each wait is spread by up to this fraction either way, so that the publications of
 *     many streams do not come back at the same instant
 */
public record RetryPolicy(Duration first, Duration max, Duration refusedFirst, Duration refusedMax, double jitter) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(15), Duration.ofMinutes(5), 0.2);
  /** An endpoint's {@code Retry-After} is honoured up to this. */
  static final Duration RETRY_AFTER_CAP = Duration.ofMinutes(5);

  public RetryPolicy {
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0 || refusedFirst.isNegative()
        || refusedFirst.isZero() || refusedMax.compareTo(refusedFirst) < 0) {
      throw new IllegalArgumentException("retry waits must be positive, each first no longer than its max");
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1)");
    }
  }

  /**
   * The wait before the next attempt.
   *
   * @param failuresInARow failures since the publication last connected, this one included (1 or more)
   * @param retryAfter the endpoint's {@code Retry-After}, or null
   * @param random a value in [0, 1), for the jitter
   */
  Duration delay(Failure failure, int failuresInARow, Duration retryAfter, DoubleSupplier random) {
    Duration base = failure.slow() ? refusedFirst : first;
    Duration cap = failure.slow() ? refusedMax : max;
    Duration wait = base;
    for (int i = 1; i < failuresInARow && wait.compareTo(cap) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    if (wait.compareTo(cap) > 0) {
      wait = cap;
    }
    double spread = 1 + jitter * (2 * random.getAsDouble() - 1);
    wait = Duration.ofMillis(Math.max(1, Math.round(wait.toMillis() * spread)));
    if (retryAfter != null && !retryAfter.isNegative()) {
      Duration asked = retryAfter.compareTo(RETRY_AFTER_CAP) > 0 ? RETRY_AFTER_CAP : retryAfter;
      if (asked.compareTo(wait) > 0) {
        wait = asked;
      }
    }
    return wait;
  }
}
