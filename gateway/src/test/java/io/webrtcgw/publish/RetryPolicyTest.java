package io.webrtcgw.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

  private static long millis(Failure failure, int inARow, Duration retryAfter, double random) {
    return POLICY.delay(failure, inARow, retryAfter, () -> random).toMillis();
  }

  @Test
  void anEndpointThatIsAwayIsTriedSoonThenEveryTwoSeconds() {
    // random 0.5: no jitter
    assertEquals(250, millis(Failure.UNREACHABLE, 1, null, 0.5));
    assertEquals(500, millis(Failure.SERVER_ERROR, 2, null, 0.5));
    assertEquals(1000, millis(Failure.CONNECTION, 3, null, 0.5));
    assertEquals(2000, millis(Failure.UNREACHABLE, 4, null, 0.5));
    assertEquals(2000, millis(Failure.UNREACHABLE, 40, null, 0.5));
    assertEquals(2000, millis(Failure.UNREACHABLE, Integer.MAX_VALUE, null, 0.5));
  }

  @Test
  void aRefusalIsTriedAgainSlowly() {
    assertEquals(15_000, millis(Failure.REFUSED, 1, null, 0.5));
    assertEquals(30_000, millis(Failure.PROTOCOL, 2, null, 0.5));
    assertEquals(60_000, millis(Failure.NEGOTIATION, 3, null, 0.5));
    assertEquals(300_000, millis(Failure.REFUSED, 9, null, 0.5));
  }

  @Test
  void jitterSpreadsByAFifthEitherWay() {
    assertEquals(1600, millis(Failure.UNREACHABLE, 4, null, 0.0));
    assertEquals(2400, millis(Failure.UNREACHABLE, 4, null, 0.999999), 1);
  }

  @Test
  void retryAfterLengthensTheWaitUpToFiveMinutes() {
    assertEquals(10_000, millis(Failure.SERVER_ERROR, 1, Duration.ofSeconds(10), 0.5));
    assertEquals(300_000, millis(Failure.SERVER_ERROR, 1, Duration.ofHours(2), 0.5));
    // It never shortens the backoff.
    assertEquals(15_000, millis(Failure.REFUSED, 1, Duration.ofSeconds(1), 0.5));
  }

  @Test
  void nonsenseIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), 0));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(2), 0));
    assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(2), 1));
  }
}
