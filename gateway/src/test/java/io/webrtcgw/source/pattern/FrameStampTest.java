package io.webrtcgw.source.pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.VideoFormat;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameStampTest {
  @ParameterizedTest
  @CsvSource({"640,360", "1280,720", "320,180", "854,480", "64,16"})
  void roundTripsThroughAPatternFrame(int width, int height) {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_763_000_000_123L), ZoneOffset.UTC);
    PatternSource source = new PatternSource("t", new VideoFormat(width, height, 30), clock);
    I420Frame frame = source.render(70_000);
    FrameStamp stamp = FrameStamp.read((x, y) -> frame.y()[y * width + x] & 0xFF, width, height);
    assertEquals(1_763_000_000_123L, stamp.timeMillis());
    assertEquals(70_000 & 0xFFFF, stamp.frameNumber());
  }
}
