package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up loopback session: real libwebrtc on both ends, a frame decoded, twice on one engine. */
class LoopbackWarmUpTest {
  @Test
  void aFrameComesThroughAndTheEngineClosesCleanAfterwards() {
    try (RtcEngine engine = new RtcEngine(List.of())) {
      LoopbackWarmUp warmUp = new LoopbackWarmUp(engine, Duration.ofSeconds(10));
      long first = warmUp.run();
      assertTrue(first >= 0, "the first loopback session decoded no frame");
      long second = warmUp.run();
      assertTrue(second >= 0, "a second run decoded no frame");
    }
  }
}
