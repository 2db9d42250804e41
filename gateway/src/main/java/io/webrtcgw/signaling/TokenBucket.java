package io.webrtcgw.signaling;

import java.util.function.LongSupplier;

/**
 * Allows {@code burst} actions at once and {@code perSecond} on average after that. Not
 * thread-safe: each signaling connection owns its buckets and is called in order.
 */
public final class TokenBucket {
  private final double capacity;
  private final double tokensPerNano;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  /** @param nanoTime a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests */
  public TokenBucket(int burst, double perSecond, LongSupplier nanoTime) {
    if (burst < 1 || perSecond <= 0) {
      throw new IllegalArgumentException("a token bucket needs a burst of at least 1 and a positive rate");
    }
    this.capacity = burst;
    this.tokensPerNano = perSecond / 1e9;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes one token if there is one. */
  public boolean tryTake() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * tokensPerNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
