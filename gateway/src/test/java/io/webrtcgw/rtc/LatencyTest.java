package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glass-to-glass delay, from the capture time stamped into each pattern frame to its decode in a
 * loopback viewer, must not creep: at the end of a long watch it is at most 50 ms above the start.
 * The viewer's jitter-buffer delay is logged per window alongside: on a machine busy with other
 * work, that is where a rise comes from.
 */
class LatencyTest {
  private static final Logger log = LoggerFactory.getLogger(LatencyTest.class);
  private static final long MAX_CREEP_MILLIS = 50;

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:320x180@30"));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void latencyDoesNotCreepOverTwoMinutes() throws Exception {
    watch(Duration.ofMinutes(2), Duration.ofSeconds(30));
  }

  @Test
  @Tag("soak")
  void latencyDoesNotCreepOverThirtyMinutes() throws Exception {
    watch(Duration.ofMinutes(30), Duration.ofMinutes(1));
  }

  /** Watches for {@code length} and compares the first {@code window} with the last. */
  private static void watch(Duration length, Duration window) throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(1, Duration.ofSeconds(15));
      long start = viewer.frames().get(0).receivedMillis();
      long end = start + length.toMillis();
      // The receiver's own jitter buffer, per window, tells a delay the gateway adds from one the
      // viewer adds when its decoding is starved (e.g. by other load on the machine).
      StringBuilder jitterBuffer = new StringBuilder();
      LoopbackViewer.JitterBuffer previous = viewer.jitterBuffer();
      for (long windowEnd = start + window.toMillis(); windowEnd <= end; windowEnd += window.toMillis()) {
        long until = windowEnd;
        Await.until(() -> "frames until " + until + " (have " + viewer.frameCount() + ")",
            () -> lastReceived(viewer) >= until, window.plusSeconds(30));
        LoopbackViewer.JitterBuffer now = viewer.jitterBuffer();
        jitterBuffer.append(Math.round(now.meanMillisSince(previous))).append(' ');
        previous = now;
      }

      List<ReceivedFrame> frames = viewer.frames();
      List<Long> first = latencies(frames, start, start + window.toMillis());
      List<Long> last = latencies(frames, end - window.toMillis(), end);
      long firstMedian = percentile(first, 50);
      long lastMedian = percentile(last, 50);
      StringBuilder perWindow = new StringBuilder();
      for (long from = start; from + window.toMillis() <= end; from += window.toMillis()) {
        perWindow.append(percentile(latencies(frames, from, from + window.toMillis()), 50)).append(' ');
      }
      log.info("latency over {} s, {} frames: first {} s median {} ms (p95 {}), last {} s median {} ms (p95 {}); "
          + "median per {} s: {}; the viewer's jitter buffer, mean ms per {} s: {}", length.toSeconds(), frames.size(),
          window.toSeconds(), firstMedian, percentile(first, 95), window.toSeconds(), lastMedian, percentile(last, 95),
          window.toSeconds(), perWindow, window.toSeconds(), jitterBuffer);
      System.out.printf("LATENCY length_s=%d first_median_ms=%d last_median_ms=%d creep_ms=%d%n",
          length.toSeconds(), firstMedian, lastMedian, lastMedian - firstMedian);

      double fps = last.size() / (double) window.toSeconds();
      assertTrue(fps >= 25, "only " + fps + " fps in the last window: the measurement needs a steady stream");
      // Creep is a rise; a first window that came out slower (the viewer's jitter buffer still
      // settling, a busy machine) is no creep.
      assertTrue(lastMedian - firstMedian <= MAX_CREEP_MILLIS, "median latency went from "
          + firstMedian + " ms to " + lastMedian + " ms over " + length.toSeconds() + " s; the viewer's jitter buffer "
          + "per window (ms): " + jitterBuffer);
    }
  }

  private static long lastReceived(LoopbackViewer viewer) {
    ReceivedFrame frame = viewer.lastFrame();
    return frame == null ? 0 : frame.receivedMillis();
  }

  /** Stamp-to-decode delays of the frames received in [from, to). */
  private static List<Long> latencies(List<ReceivedFrame> frames, long from, long to) {
    List<Long> values = new ArrayList<>();
    for (ReceivedFrame frame : frames) {
      if (frame.receivedMillis() >= from && frame.receivedMillis() < to) {
        values.add(frame.receivedMillis() - frame.stamp().timeMillis());
      }
    }
    return values;
  }

  private static long percentile(List<Long> values, int percent) {
    if (values.isEmpty()) {
      throw new AssertionError("no frames in a measurement window");
    }
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
  }
}
