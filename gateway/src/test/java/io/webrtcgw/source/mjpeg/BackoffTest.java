package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Test
  void doublesFromOneSecondToThirtyAndStartsOverOncePicturesFlow() {
    Backoff backoff = new Backoff(MjpegSource.FIRST_RETRY, MjpegSource.LONGEST_RETRY);
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(backoff.failed());
    }
    assertEquals(List.of(s(1), s(2), s(4), s(8), s(16), s(30), s(30), s(30)), waits);
    backoff.reset();
    assertEquals(s(1), backoff.failed());
    assertEquals(s(2), backoff.failed());
  }

  @Test
  void aRefusedLoginWaitsTheLongestAtOnceAndStaysThere() {
    Backoff backoff = new Backoff(s(1), s(30));
    assertEquals(s(30), backoff.failedHard());
    assertEquals(s(30), backoff.failed(), "an ordinary failure after it does not speed up");
    backoff.reset();
    assertEquals(s(1), backoff.failed());
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, s(1)));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(s(2), s(1)));
  }
}
