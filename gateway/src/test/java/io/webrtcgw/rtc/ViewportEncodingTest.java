package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The viewer's reported viewport caps what its encoder sends; a hidden page pauses it. */
class ViewportEncodingTest {
  private static final int CAP = 250_000;
  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"),
        StreamConfig.of("capped", "pattern:640x360@30").withMaxBitrate(CAP));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void aSmallViewportShrinksTheEncodeAndAHiddenPagePausesIt() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(10, Duration.ofSeconds(15));
      assertEquals(640, viewer.frames().get(0).width());

      viewer.signaling().send("{\"type\":\"viewport\",\"width\":320,\"height\":180,\"visible\":true}");
      Await.until("frames at 320x180", () -> last(viewer).width() == 320 && last(viewer).height() == 180,
          Duration.ofSeconds(10));

      viewer.signaling().send("{\"type\":\"viewport\",\"width\":320,\"height\":180,\"visible\":false}");
      awaitNoFramesFor(viewer, Duration.ofMillis(700), Duration.ofSeconds(10));

      int before = viewer.frameCount();
      viewer.signaling().send("{\"type\":\"viewport\",\"width\":1280,\"height\":720,\"visible\":true}");
      viewer.awaitFrames(before + 10, Duration.ofSeconds(10));
      Await.until("frames back at 640x360", () -> last(viewer).width() == 640, Duration.ofSeconds(10));
    }
  }

  @Test
  void aStreamsMaxBitrateCapsItsEncoderFromTheFirstFrameAndTheStatsShowIt() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "capped")) {
      viewer.awaitFrames(30, Duration.ofSeconds(15));
      Await.until("only this viewer's session", () -> gateway.sessions().count() == 1, Duration.ofSeconds(10));
      Session session = gateway.sessions().all().get(0);
      SessionStats[] stats = {SessionStats.EMPTY};
      // No viewport message was sent: the cap is the stream's own from the answer on.
      Await.until("an encoder target", () -> {
        stats[0] = statsOf(session);
        return stats[0].bitrate() > 0 && stats[0].framesEncoded() > 0;
      }, Duration.ofSeconds(10));
      assertTrue(stats[0].bitrate() <= CAP, "target " + stats[0].bitrate() + " bit/s over the stream's cap " + CAP);
      assertTrue(stats[0].qpSum() > 0, "QP is reported: " + stats[0]);
      assertEquals(640, stats[0].frameWidth(), stats[0].toString());
      long bytes0 = stats[0].bytesSent();
      long t0 = System.nanoTime();
      viewer.awaitFrames(viewer.frameCount() + 60, Duration.ofSeconds(10));
      SessionStats later = statsOf(session);
      double kbps = (later.bytesSent() - bytes0) * 8 / 1000.0 / ((System.nanoTime() - t0) / 1e9);
      // Headers, padding probes and the pacer's bursts allow some margin over the cap, not double.
      assertTrue(kbps < CAP / 1000.0 * 1.5, "sent " + kbps + " kbit/s against a " + CAP / 1000 + " kbit/s cap");
    }
  }

  @Test
  void theSessionRecordsWhenItsFirstPacketLeft() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(1, Duration.ofSeconds(15));
      Await.until("only this viewer's session", () -> gateway.sessions().count() == 1, Duration.ofSeconds(10));
      Session session = gateway.sessions().all().get(0);
      Await.until("a first-packet time", () -> session.firstPacketMillis().isPresent(), Duration.ofSeconds(5));
      OptionalLong millis = session.firstPacketMillis();
      assertTrue(millis.getAsLong() >= 0 && millis.getAsLong() < 15_000, "first packet after " + millis);
    }
  }

  @Test
  void aBadViewportIsAnErrorAndTheSessionGoesOn() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(1, Duration.ofSeconds(15));
      viewer.signaling().send("{\"type\":\"viewport\",\"width\":-5,\"height\":180,\"visible\":true}");
      JsonNode error = viewer.signaling().expect("error", Duration.ofSeconds(5));
      assertEquals("bad-message", error.path("code").asText());
      int before = viewer.frameCount();
      viewer.awaitFrames(before + 5, Duration.ofSeconds(5));
    }
  }

  private static SessionStats statsOf(Session session) {
    try {
      return SessionStats.of(session.stats().get(5, java.util.concurrent.TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("no stats from session " + session.id(), e);
    }
  }

  private static ReceivedFrame last(LoopbackViewer viewer) {
    List<ReceivedFrame> frames = viewer.frames();
    return frames.get(frames.size() - 1);
  }

  /** Frame delivery stopping is an absence, so it is seen as no new frame for {@code quiet}. */
  private static void awaitNoFramesFor(LoopbackViewer viewer, Duration quiet, Duration timeout) {
    long[] lastChange = {System.nanoTime()};
    int[] lastCount = {viewer.frameCount()};
    Await.until("frames to stop", () -> {
      int count = viewer.frameCount();
      if (count != lastCount[0]) {
        lastCount[0] = count;
        lastChange[0] = System.nanoTime();
      }
      return System.nanoTime() - lastChange[0] >= quiet.toNanos();
    }, timeout);
  }
}
