package io.webrtcgw.signaling.websocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad signaling input gets an error message (or a documented close), while a viewer watching the
 * same stream keeps its frame rate.
 */
class SignalingErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String AUDIO_ONLY_OFFER = String.join("\r\n",
      "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=recvonly",
      "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
      "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
      "a=setup:actpass", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "");

  private static Gateway gateway;
  private static ViewerPeers peers;
  private LoopbackViewer watcher;
  private int framesBefore;
  private long startedNanos;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(Limits.DEFAULT, StreamConfig.of("pattern", "pattern:320x180@30"));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @BeforeEach
  void watch() throws Exception {
    watcher = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern");
    watcher.awaitFrames(10, WAIT);
    framesBefore = watcher.frameCount();
    startedNanos = System.nanoTime();
  }

  /** The watcher kept receiving at (nearly) the source rate while the bad input went on. */
  @AfterEach
  void watcherKeptItsFrameRate() throws Exception {
    try {
      // Measure over at least two seconds so that one slow frame does not decide the result.
      long minimumEnd = startedNanos + Duration.ofSeconds(2).toNanos();
      long wait = minimumEnd - System.nanoTime();
      if (wait > 0) {
        watcher.awaitFrames(framesBefore + (int) (wait / 1e9 * 25) + 1, WAIT);
      }
      double seconds = (System.nanoTime() - startedNanos) / 1e9;
      double fps = (watcher.frameCount() - framesBefore) / seconds;
      assertTrue(fps >= 25, "the watching viewer dropped to " + fps + " fps");
      assertTrue(watcher.signaling().isClosed() == false, "the watcher's socket must stay open");
    } finally {
      watcher.close();
    }
  }

  private static void expectError(SignalingClient client, String text, String code) throws Exception {
    client.send(text);
    JsonNode error = client.expect("error", WAIT);
    assertEquals(code, error.path("code").asText(), "for input " + abbreviate(text) + ": " + error);
    assertTrue(error.path("message").asText().length() > 10, "error needs a human-readable message");
  }

  private static String abbreviate(String text) {
    return text.length() < 80 ? text : text.substring(0, 77) + "...";
  }

  private static SignalingClient connect() throws Exception {
    SignalingClient client = SignalingClient.connect(gateway.port(), "pattern");
    client.expect("hello", WAIT);
    return client;
  }

  @Test
  void invalidJson() throws Exception {
    try (SignalingClient client = connect()) {
      expectError(client, "{not json", "bad-json");
      expectError(client, "", "bad-json");
      expectError(client, "\u0000\u0001\u00ff", "bad-json");
    }
  }

  @Test
  void unknownOrMissingType() throws Exception {
    try (SignalingClient client = connect()) {
      expectError(client, "{\"type\":\"dance\"}", "unknown-type");
      expectError(client, "{\"sdp\":\"v=0\"}", "unknown-type");
      expectError(client, "[1,2,3]", "bad-message");
      expectError(client, "{\"type\":\"offer\",\"sdp\":{\"nested\":true}}", "bad-message");
    }
  }

  @Test
  void garbageSdp() throws Exception {
    try (SignalingClient client = connect()) {
      expectError(client, "{\"type\":\"offer\",\"sdp\":\"hello there\"}", "bad-sdp");
      // Passes the cheap checks, fails in libwebrtc's parser: the session it opened is ended.
      expectError(client, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\nm=video 9 UDP/TLS/RTP/SAVPF 96\\r\\n\"}", "bad-sdp");
      expectError(client, "{\"type\":\"offer\"}", "bad-sdp");
    }
    awaitSessions(1);
  }

  @Test
  void offerWithoutVideo() throws Exception {
    try (SignalingClient client = connect()) {
      String offer = JSON.createObjectNode()
          .put("type", "offer").put("sdp", AUDIO_ONLY_OFFER).toString();
      expectError(client, offer, "no-video");
    }
  }

  @Test
  void candidateBeforeOffer() throws Exception {
    try (SignalingClient client = connect()) {
      expectError(client,
          "{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 9 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}",
          "no-offer");
    }
  }

  @Test
  void oversizedMessageClosesWith1009() throws Exception {
    try (SignalingClient client = connect()) {
      String huge = "{\"type\":\"offer\",\"sdp\":\"" + "a".repeat(Limits.DEFAULT.maxMessageBytes() + 10) + "\"}";
      client.sendAsync(huge);
      assertEquals(CloseCodes.TOO_BIG, client.awaitClose(WAIT));
    }
  }

  @Test
  void unknownStreamClosesWith4404() throws Exception {
    try (SignalingClient client = SignalingClient.connect(gateway.port(), "no-such-stream")) {
      JsonNode error = client.expect("error", WAIT);
      assertEquals("unknown-stream", error.path("code").asText());
      assertEquals(CloseCodes.UNKNOWN_STREAM, client.awaitClose(WAIT));
    }
  }

  private static void awaitSessions(int expected) {
    Await.until(() -> expected + " sessions, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == expected, WAIT);
  }
}
