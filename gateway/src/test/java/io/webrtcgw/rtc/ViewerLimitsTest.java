package io.webrtcgw.rtc;

import com.fasterxml.jackson.databind.ObjectMapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.signaling.websocket.CloseCodes;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Viewer limits hold exactly under a crowd, and sockets that never offer are closed. */
class ViewerLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int GATEWAY_LIMIT = 5;
  private static final int STREAM_LIMIT = 3;
  private static final int CROWD = 20;
  private static final Duration OFFER_TIMEOUT = Duration.ofMillis(800);

  private static Gateway gateway;
  private static ViewerPeers peers;
  private static String offerSdp;

  @BeforeAll
  static void start() throws Exception {
    Limits limits = new Limits(GATEWAY_LIMIT, 64 * 1024, OFFER_TIMEOUT, Duration.ofSeconds(5));
    gateway = TestGateway.start(limits,
        StreamConfig.of("open", "pattern:320x180@15"),
        new StreamConfig("small", "pattern:320x180@15", false, STREAM_LIMIT));
    peers = new ViewerPeers();
    // One real browser-like offer, sent by every member of the crowd: the gateway opens a session
    // for each it admits whether or not ICE ever connects.
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "open")) {
      offerSdp = viewer.lastOfferSdp();
    }
    awaitSessions(0);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void gatewayLimitIsExactUnderConcurrentOffers() throws Exception {
    crowdOffers("open", GATEWAY_LIMIT);
  }

  @Test
  void streamLimitIsExactUnderConcurrentOffers() throws Exception {
    crowdOffers("small", STREAM_LIMIT);
  }

  @Test
  void socketWithoutOfferIsClosedAfterTheOfferTimeout() throws Exception {
    try (SignalingClient idle = SignalingClient.connect(gateway.port(), "open");
        SignalingClient talker = SignalingClient.connect(gateway.port(), "open")) {
      idle.expect("hello", WAIT);
      talker.expect("hello", WAIT);
      long opened = System.nanoTime();
      talker.send(offer());
      talker.expect("answer", WAIT);

      JsonNode error = idle.expect("error", WAIT);
      assertEquals("no-offer", error.path("code").asText(), error.toString());
      assertEquals(CloseCodes.NO_OFFER_IN_TIME, idle.awaitClose(WAIT));
      long millis = (System.nanoTime() - opened) / 1_000_000;
      assertTrue(millis < OFFER_TIMEOUT.toMillis() + 2000, "closed only after " + millis + " ms");
      // A socket that offered in time is not touched by the timer.
      Await.until("twice the offer timeout", () -> System.nanoTime() - opened > 2 * OFFER_TIMEOUT.toNanos(), WAIT);
      assertFalse(talker.isClosed(), "the socket that offered must stay open");
      assertEquals(1, gateway.sessions().count());
    }
    awaitSessions(0);
  }

  /** {@value #CROWD} sockets offer at the same instant; exactly {@code admitted} get a session. */
  private static void crowdOffers(String stream, int admitted) throws Exception {
    List<SignalingClient> clients = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(CROWD);
    try {
      for (int i = 0; i < CROWD; i++) {
        SignalingClient client = SignalingClient.connect(gateway.port(), stream);
        clients.add(client);
        client.expect("hello", WAIT);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> outcomes = new ArrayList<>();
      for (SignalingClient client : clients) {
        outcomes.add(pool.submit(() -> {
          go.await();
          client.send(offer());
          return outcome(client);
        }));
      }
      go.countDown();
      int answered = 0;
      int busy = 0;
      for (Future<String> outcome : outcomes) {
        switch (outcome.get()) {
          case "answer" -> answered++;
          case "busy" -> busy++;
          default -> throw new AssertionError("unexpected outcome " + outcome.get());
        }
      }
      assertEquals(admitted, answered, "answered offers");
      assertEquals(CROWD - admitted, busy, "busy refusals");
      assertEquals(admitted, gateway.sessions().count());
      assertEquals(admitted, gateway.streams().find(stream).orElseThrow().viewers());
    } finally {
      pool.shutdownNow();
      clients.forEach(SignalingClient::close);
    }
    awaitSessions(0);
    // The slots came back: a new viewer gets in.
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), stream)) {
      viewer.awaitFrames(1, WAIT);
    }
    awaitSessions(0);
  }

  /** "answer", or "busy" once the busy error and the 4503 close both came. */
  private static String outcome(SignalingClient client) throws Exception {
    JsonNode message = client.next(WAIT);
    while (message.path("type").asText().equals("candidate")) {
      message = client.next(WAIT);
    }
    String type = message.path("type").asText();
    if (type.equals("error") && message.path("code").asText().equals("busy")) {
      assertTrue(message.path("message").asText().contains("maximum"), message.toString());
      assertEquals(CloseCodes.BUSY, client.awaitClose(WAIT));
      return "busy";
    }
    return type.equals("answer") ? "answer" : message.toString();
  }

  private static String offer() {
    return JSON.createObjectNode().put("type", "offer").put("sdp", offerSdp).toString();
  }

  private static void awaitSessions(int expected) {
    Await.until(() -> expected + " sessions, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == expected, WAIT);
  }
}
