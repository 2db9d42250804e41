package io.webrtcgw.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SourceMeterTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
  private final SourceMeter meter = new SourceMeter(now::get);

  private void advanceMillis(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void ratesCoverTheTwoWholeSecondsBeforeNow() {
    for (int i = 0; i < 90; i++) {
      meter.received(1000);
      meter.delivered(0);
      advanceMillis(1000 / 30);
    }
    // 3 s at 30 fps: the two whole seconds behind the current one hold 60 frames.
    assertEquals(30, meter.measuredFps(), 1.01);
    assertEquals(30 * 1000 * 8, meter.bitrateIn(), 8 * 1000 + 1);
    advanceMillis(3000);
    assertEquals(0, meter.measuredFps());
    assertEquals(90, meter.framesOut());
  }

  @Test
  void latencyQuantilesComeFromArrivalToDelivery() {
    assertEquals(-1, meter.latencyMillis(0.5));
    for (int delay = 1; delay <= 100; delay++) {
      long arrival = now.get();
      advanceMillis(delay);
      meter.delivered(arrival);
    }
    assertEquals(50, meter.latencyMillis(0.5), 1e-9);
    assertEquals(95, meter.latencyMillis(0.95), 1e-9);
    assertEquals(100, meter.latencyMillis(1), 1e-9);
  }

  @Test
  void countersAddUp() {
    meter.lost(3);
    meter.lost(2);
    meter.dropped(7);
    meter.reconnected();
    meter.decoded(1_000_000);
    meter.decoded(3_000_000);
    assertEquals(5, meter.packetsLost());
    assertEquals(7, meter.framesDropped());
    assertEquals(1, meter.reconnects());
    assertEquals(2, meter.decodes());
    assertEquals(4_000_000, meter.decodeNanos());
  }
}
