package io.webrtcgw.signaling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bucket on a fake clock: a burst, then the sustained rate, never more than the burst saved up. */
class TokenBucketTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final TokenBucket bucket = new TokenBucket(5, 0.5, now::get);

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void allowsTheBurstThenRefillsAtTheRate() {
    for (int i = 0; i < 5; i++) {
      assertTrue(bucket.tryTake(), "take " + i + " of the burst");
    }
    assertFalse(bucket.tryTake());
    advance(1_999);
    assertFalse(bucket.tryTake(), "half a second short of one token at 0.5/s");
    advance(1);
    assertTrue(bucket.tryTake());
    assertFalse(bucket.tryTake());
  }

  @Test
  void savesUpNoMoreThanTheBurst() {
    advance(TimeUnit.HOURS.toMillis(1));
    for (int i = 0; i < 5; i++) {
      assertTrue(bucket.tryTake());
    }
    assertFalse(bucket.tryTake());
  }

  @Test
  void refusedAttemptsDoNotDelayTheNextToken() {
    for (int i = 0; i < 5; i++) {
      bucket.tryTake();
    }
    for (int i = 0; i < 10; i++) {
      advance(100);
      assertFalse(bucket.tryTake());
    }
    advance(1_000);
    assertTrue(bucket.tryTake());
  }
}
