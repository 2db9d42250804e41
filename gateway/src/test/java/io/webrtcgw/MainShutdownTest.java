package io.webrtcgw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.signaling.websocket.CloseCodes;
import io.webrtcgw.testing.GatewayProcess;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGTERM to the real gateway process: viewers are told, sessions end, and the process exits 0. */
class MainShutdownTest {
  private static final Logger log = LoggerFactory.getLogger(MainShutdownTest.class);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static ViewerPeers peers;

  @BeforeAll
  static void start() {
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    peers.close();
  }

  @Test
  void sigtermSaysByeClosesSessionsAndExitsZero() throws Exception {
    try (GatewayProcess gateway = GatewayProcess.start(List.of(),
        List.of("--host", "127.0.0.1", "--port", "0", "--stream", "pattern=pattern:320x180@15"))) {
      int port = gateway.awaitServing(Duration.ofSeconds(30));
      try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), port, "pattern");
          SignalingClient idle = SignalingClient.connect(port, "pattern")) {
        viewer.awaitFrames(5, WAIT);
        idle.expect("hello", WAIT);

        long sent = System.nanoTime();
        gateway.terminate();

        JsonNode bye = viewer.expect("bye", WAIT);
        assertTrue(bye.path("reason").asText().length() > 5, "bye needs a reason: " + bye);
        assertEquals(CloseCodes.GOING_AWAY, viewer.signaling().awaitClose(WAIT));
        // A viewer that had not offered yet has no session, and is told all the same.
        idle.expect("bye", WAIT);
        assertEquals(CloseCodes.GOING_AWAY, idle.awaitClose(WAIT));
        // Sessions end after the listener stops taking viewers.
        assertThrows(Exception.class, () -> SignalingClient.connect(port, "pattern").expect("hello", WAIT),
            "a new viewer must not get in while the gateway shuts down");

        int exit = gateway.awaitExit(Duration.ofSeconds(5));
        long millis = (System.nanoTime() - sent) / 1_000_000;
        log.info("SIGTERM to exit: {} ms, exit code {}", millis, exit);
        assertEquals(0, exit, "exit code after SIGTERM");
        assertTrue(millis < 5000, "exited " + millis + " ms after SIGTERM");
      }
      gateway.awaitLine("the session to end for the shutdown",
          line -> line.contains("ended:") && line.contains("reason=shutdown"), WAIT);
      gateway.awaitLine("the gateway to report its stop", line -> line.contains("gateway stopped in"), WAIT);
    }
  }
}
