package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The stall rules, on a fake clock. */
class StallWatchTest {
  private final FakeClock clock = new FakeClock();
  private final StallWatch watch = new StallWatch(clock);

  @Test
  void bytesWithoutAPictureForTheTimeoutAreAStall() {
    watch.restart(Duration.ofSeconds(5), Duration.ZERO);
    for (int i = 0; i < 5; i++) {
      clock.advance(1000);
      watch.bytes();
      assertNull(watch.stalled(), "within the timeout, after " + (i + 1) + " s");
    }
    clock.advance(500);
    watch.bytes();
    assertEquals("the camera sent data but no complete picture for 5 s", watch.stalled());
  }

  @Test
  void picturesKeepItAliveAndTheLastDecodeErrorIsTheReason() {
    watch.restart(Duration.ofSeconds(2), Duration.ZERO);
    for (int i = 0; i < 10; i++) {
      clock.advance(1500);
      watch.bytes();
      watch.decoded();
      assertNull(watch.stalled());
    }
    clock.advance(1500);
    watch.bytes();
    watch.undecodable("the JPEG cannot be decoded: bogus Huffman table");
    assertNull(watch.stalled());
    clock.advance(1000);
    watch.bytes();
    assertEquals("no picture could be decoded for 2 s: the JPEG cannot be decoded: bogus Huffman table", watch.stalled());
  }

  @Test
  void silenceIsLeftToTheReadTimeout() {
    watch.restart(Duration.ofSeconds(2), Duration.ZERO);
    clock.advance(10_000);
    assertNull(watch.stalled(), "no bytes at all: the socket's timeout names it");
  }

  @Test
  void aCameraFallingSilentInsideAPartIsLeftToTheReadTimeoutToo() {
    watch.restart(Duration.ofSeconds(2), Duration.ZERO);
    clock.advance(1900);
    watch.decoded();
    clock.advance(100);
    watch.bytes(); // half a picture, then nothing
    clock.advance(1950);
    assertNull(watch.stalled(), "the read timeout fires 50 ms later and says 'no data'");
  }

  @Test
  void aSnapshotCameraIsAllowedItsPollIntervalOnTop() {
    watch.restart(Duration.ofSeconds(5), Duration.ofSeconds(10));
    clock.advance(14_000);
    assertNull(watch.stalled());
    clock.advance(2_000);
    assertEquals("the camera sent data but no complete picture for 15 s", watch.stalled(),
        "between polls nothing arrives, and that is no reason to wait for bytes");
  }

  @Test
  void aNewConnectionStartsTheCountAgain() {
    watch.restart(Duration.ofSeconds(1), Duration.ZERO);
    clock.advance(5000);
    watch.bytes();
    assertEquals("the camera sent data but no complete picture for 1 s", watch.stalled());
    watch.restart(Duration.ofSeconds(1), Duration.ZERO);
    assertNull(watch.stalled());
  }

  static final class FakeClock extends Clock {
    private long millis = 1_700_000_000_000L;

    void advance(long delta) {
      millis += delta;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
