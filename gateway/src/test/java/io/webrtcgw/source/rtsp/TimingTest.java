package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backoff, stall and keep-alive clocks, and the RTP-to-wall-clock mapping, on fake times. */
class TimingTest {
  private static final long S = 1_000_000_000L;

  @Test
  void backoffDoublesToItsCapAndStartsOverAfterASuccess() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      waits.add(backoff.next().toSeconds());
    }
    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L), waits);
    backoff.reset();
    assertEquals(Duration.ofSeconds(1), backoff.next());
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
  }

  @Test
  void aStallIsNoRtpForTheStallTimeoutCountedFromPlay() {
    long play = 1000 * S;
    Liveness liveness = new Liveness(5 * S, 30 * S, play);
    assertFalse(liveness.anyMedia());
    assertFalse(liveness.stalled(play + 4 * S));
    assertTrue(liveness.stalled(play + 5 * S), "nothing at all since PLAY");
    liveness.media(play + 4 * S);
    assertTrue(liveness.anyMedia());
    assertFalse(liveness.stalled(play + 8 * S));
    assertEquals(S, liveness.untilNextCheck(play + 8 * S), "the next stall check is due when 5 s are up");
    assertTrue(liveness.stalled(play + 9 * S));
    assertEquals(5 * S, liveness.silentFor(play + 9 * S));
  }

  @Test
  void keepAlivesComeOncePerInterval() {
    long play = 0;
    Liveness liveness = new Liveness(5 * S, 30 * S, play);
    assertFalse(liveness.keepAliveDue(29 * S));
    assertTrue(liveness.keepAliveDue(30 * S));
    assertFalse(liveness.keepAliveDue(31 * S), "once, not on every packet after");
    assertFalse(liveness.keepAliveDue(59 * S));
    assertTrue(liveness.keepAliveDue(61 * S), "the next counts from the last sent");
    liveness.media(89 * S);
    assertEquals(2 * S, liveness.untilNextCheck(89 * S), "keep-alive at 91 s before the stall check at 94 s");
  }

  @Test
  void rtpTimeMapsOntoTheFastestArrivals() {
    RtpClock clock = new RtpClock(90000);
    long base = 4_294_960_000L; // just below the 32-bit wrap
    long first = clock.extend(base);
    assertEquals(1_000_000, clock.captureMicros(first, 1_000_000), "the first frame anchors the mapping");
    long second = clock.extend((base + 3000) & 0xFFFFFFFFL);
    assertEquals(first + 3000, second, "unwrapped across the wrap");
    assertEquals(1_033_333, clock.captureMicros(second, 1_050_000), 1, "a late arrival keeps the camera's spacing");
    long third = clock.extend((base + 6000) & 0xFFFFFFFFL);
    assertEquals(1_056_666, clock.captureMicros(third, 1_056_666), 1,
        "an earlier arrival than the mapping says moves it earlier");
    long bframe = clock.extend((base + 4500) & 0xFFFFFFFFL);
    assertEquals(second + 1500, bframe, "B-frames step back, not forward by 2^32");
    long jump = clock.extend((base + 6000 + 90000 * 5) & 0xFFFFFFFFL);
    assertEquals(3_000_000, clock.captureMicros(jump, 3_000_000), "1 s off (a camera restart) starts over");
    clock.reset();
    assertEquals(123, clock.extend(123));
  }
}
