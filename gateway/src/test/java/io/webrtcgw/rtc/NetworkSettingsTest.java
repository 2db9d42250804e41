package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.NetworkConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway behind a firewall: its media sockets stay in the configured UDP range, and its host
 * candidates are also announced at the configured public address; media still flows.
 */
class NetworkSettingsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String PUBLIC_IP = "203.0.113.77";
  private static final int MIN_PORT = ThreadLocalRandom.current().nextInt(42000, 60000);
  private static final int MAX_PORT = MIN_PORT + 20;

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestGateway.config(Limits.DEFAULT, StreamConfig.of("pattern", "pattern:320x180@30"))
        .withNetwork(new NetworkConfig(PUBLIC_IP, MIN_PORT, MAX_PORT)));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void candidatesUseThePortRangeAndThePublicAddress() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(10, WAIT);
      List<String> candidates = new ArrayList<>();
      for (JsonNode message : viewer.signaling().drain()) {
        // An empty candidate only marks the end of the gateway's candidates.
        if (message.path("type").asText().equals("candidate") && !message.path("candidate").asText().isEmpty()) {
          candidates.add(message.path("candidate").asText());
        }
      }
      assertFalse(candidates.isEmpty(), "the gateway sent candidates");
      boolean publicCopy = false;
      boolean original = false;
      for (String line : candidates) {
        String[] fields = line.split(" ");
        int port = Integer.parseInt(fields[5]);
        if (fields[2].equalsIgnoreCase("udp")) {
          assertTrue(port >= MIN_PORT && port <= MAX_PORT,
              "UDP candidate port " + port + " is outside " + MIN_PORT + "-" + MAX_PORT + ": " + line);
        }
        publicCopy |= fields[4].equals(PUBLIC_IP);
        original |= !fields[4].equals(PUBLIC_IP) && fields[7].equals("host");
      }
      assertTrue(publicCopy, "a host candidate at the public address: " + candidates);
      assertTrue(original, "the host's own candidates too: " + candidates);
    }
  }
}
