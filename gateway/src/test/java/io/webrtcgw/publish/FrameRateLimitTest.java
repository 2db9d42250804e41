package io.webrtcgw.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.webrtcgw.source.I420Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameRateLimitTest {
  private final List<Long> passed = new ArrayList<>();
  private final FrameRateLimit tenFps = new FrameRateLimit(10, frame -> passed.add(frame.captureTimeMicros()));

  private void feed(FrameRateLimit limit, long micros) {
    limit.onFrame(I420Frame.allocate(16, 16, micros));
  }

  @Test
  void everyThirdFrameOfThirtyPasses() {
    for (int i = 0; i < 90; i++) {
      feed(tenFps, 1_000_000 + Math.round(i * 1_000_000 / 30.0));
    }
    assertEquals(30, passed.size());
    for (int i = 1; i < passed.size(); i++) {
      assertEquals(100_000, passed.get(i) - passed.get(i - 1), 1, "gap before frame " + i);
    }
  }

  @Test
  void jitterDoesNotCostFrames() {
    for (int i = 0; i < 90; i++) {
      long jitter = (i % 2 == 0 ? -1 : 1) * 3_000; // 3 ms either way
      feed(tenFps, 1_000_000 + Math.round(i * 1_000_000 / 30.0) + jitter);
    }
    assertEquals(30, passed.size());
  }

  @Test
  void anUnevenRatioKeepsTheAverage() {
    List<Long> out = new ArrayList<>();
    FrameRateLimit limit = new FrameRateLimit(25, frame -> out.add(frame.captureTimeMicros()));
    for (int i = 0; i < 300; i++) {
      feed(limit, Math.round(i * 1_000_000 / 30.0));
    }
    assertEquals(250, out.size(), 2);
  }

  @Test
  void aGapOrALoopStartsAfresh() {
    feed(tenFps, 0);
    feed(tenFps, 5_000_000); // the source stalled for five seconds
    feed(tenFps, 5_033_333);
    feed(tenFps, 5_100_000);
    feed(tenFps, 2_000_000); // a file source looped: time went back
    feed(tenFps, 2_100_000);
    assertEquals(List.of(0L, 5_000_000L, 5_100_000L, 2_000_000L, 2_100_000L), passed);
  }

  @Test
  void aFasterLimitThanTheSourcePassesEverything() {
    List<Long> out = new ArrayList<>();
    FrameRateLimit limit = new FrameRateLimit(60, frame -> out.add(frame.captureTimeMicros()));
    for (int i = 0; i < 30; i++) {
      feed(limit, Math.round(i * 1_000_000 / 30.0));
    }
    assertEquals(30, out.size());
  }
}
