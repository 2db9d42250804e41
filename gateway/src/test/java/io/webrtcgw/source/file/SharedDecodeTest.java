package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two viewers of one file stream share one decode thread and receive the same pictures. */
class SharedDecodeTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  void twoViewersOneDecodeThreadSameFrames() throws Exception {
    Spec spec = new Spec("main", 3, 640, 360, "30", 10);
    Path clip = TestClips.h264(dir, spec);
    try (ViewerPeers peers = new ViewerPeers();
        Gateway gateway = TestGateway.start(StreamConfig.of("clip", "file:" + clip));
        LoopbackViewer first = LoopbackViewer.watch(peers.factory(), gateway.port(), "clip");
        LoopbackViewer second = LoopbackViewer.watch(peers.factory(), gateway.port(), "clip")) {
      first.awaitFrames(60, WAIT);
      second.awaitFrames(60, WAIT);
      assertEquals(1, decodeThreads(), "one decode thread for the stream");
      assertEquals(2, gateway.streams().find("clip").orElseThrow().viewers());

      Set<Integer> seenByFirst = numbers(first);
      Set<Integer> seenBySecond = numbers(second);
      seenBySecond.retainAll(seenByFirst);
      // Both watched the same seconds of the same decode: nearly every picture reached both.
      assertTrue(seenBySecond.size() >= 40,
          "pictures common to both viewers: " + seenBySecond.size() + " of " + seenByFirst.size());
    }
    Await.until("the decode thread to stop with the last viewer", () -> decodeThreads() == 0, WAIT);
  }

  private static Set<Integer> numbers(LoopbackViewer viewer) {
    Set<Integer> numbers = new HashSet<>();
    for (ReceivedFrame frame : viewer.frames()) {
      numbers.add(frame.stamp().frameNumber());
    }
    return numbers;
  }

  private static long decodeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("file-clip"))
        .count();
  }
}
