package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A viewer that offers or talks too fast is refused before it piles up work for the gateway. */
class RateLimitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(RateLimitTest.class);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Gateway gateway;
  private static ViewerPeers peers;
  private static String offer;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:320x180@15"));
    peers = new ViewerPeers();
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      offer = JSON.createObjectNode()
          .put("type", "offer").put("sdp", viewer.lastOfferSdp()).toString();
    }
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void offersInQuickSuccessionAreRateLimited() throws Exception {
    int burst = 30;
    try (SignalingClient client = SignalingClient.connect(gateway.port(), "pattern")) {
      client.expect("hello", WAIT);
      long sent = System.nanoTime();
      for (int i = 0; i < burst; i++) {
        client.sendAsync(offer);
      }
      int answers = 0;
      int limited = 0;
      while (answers + limited < burst) {
        JsonNode message = client.next(WAIT);
        switch (message.path("type").asText()) {
          case "answer" -> answers++;
          case "error" -> {
            assertEquals("rate-limited", message.path("code").asText(), message.toString());
            limited++;
          }
          default -> { }
        }
      }
      long millis = (System.nanoTime() - sent) / 1_000_000;
      log.info("{} offers at once: {} answered, {} rate-limited, all replies within {} ms", burst, answers, limited, millis);
      // The burst allowance, and perhaps one more that the refill allowed while they arrived.
      assertTrue(answers >= ViewerSignaling.OFFER_BURST && answers <= ViewerSignaling.OFFER_BURST + 1,
          answers + " offers answered");
      assertEquals(1, gateway.sessions().count(), "one session for the connection");

      // The refill lets the viewer offer again (e.g. an ICE restart) a little later.
      long replied = System.nanoTime();
      long refill = (long) (1e9 / ViewerSignaling.OFFERS_PER_SECOND) + 200_000_000L;
      Await.until("one offer's worth of refill", () -> System.nanoTime() - replied > refill, WAIT);
      client.send(offer);
      client.expect("answer", WAIT);
    }
    Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
  }

  @Test
  void aFloodOfMessagesClosesTheSocket() throws Exception {
    try (SignalingClient client = SignalingClient.connect(gateway.port(), "pattern")) {
      client.expect("hello", WAIT);
      int flood = 3 * ViewerSignaling.MESSAGE_BURST;
      for (int i = 0; i < flood; i++) {
        client.sendAsync("{\"type\":\"viewport\",\"width\":" + i + ",\"height\":10,\"visible\":true}");
      }
      assertEquals(CloseCodes.TOO_MANY_MESSAGES, client.awaitClose(WAIT));
    }
  }
}
