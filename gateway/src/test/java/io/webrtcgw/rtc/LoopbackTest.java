package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A second webrtc-java peer in this JVM watches the gateway and reads the stamp off each frame. */
class LoopbackTest {
  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:"));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void receivesStampedFramesInOrder() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitConnected(Duration.ofSeconds(10));
      viewer.awaitFrames(60, Duration.ofSeconds(15));
      List<ReceivedFrame> frames = viewer.frames();
      ReceivedFrame first = frames.get(0);
      assertEquals(640, first.width());
      assertEquals(360, first.height());
      int increasing = 0;
      for (int i = 1; i < frames.size(); i++) {
        int step = (frames.get(i).stamp().frameNumber() - frames.get(i - 1).stamp().frameNumber()) & 0xFFFF;
        assertTrue(step >= 1 && step < 30,
            "frame numbers must increase: " + frames.get(i - 1).stamp() + " then " + frames.get(i).stamp());
        increasing++;
      }
      assertTrue(increasing >= 59);
      long now = System.currentTimeMillis();
      for (ReceivedFrame frame : frames) {
        long latency = frame.receivedMillis() - frame.stamp().timeMillis();
        assertTrue(latency >= 0 && latency < 2000,
            "stamp time must be a plausible capture time, latency was " + latency + " ms at " + now);
      }
      assertEquals(1, gateway.sessions().count());
    }
  }
}
