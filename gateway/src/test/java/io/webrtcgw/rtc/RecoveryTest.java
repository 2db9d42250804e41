package io.webrtcgw.rtc;

import io.webrtcgw.signaling.EndReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.signaling.websocket.CloseCodes;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A session survives an ICE restart on its socket, and ends (freeing its slot) when the viewer's
 * media vanishes past the grace period or its socket drops.
 */
class RecoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Duration GRACE = Duration.ofSeconds(1);
  private static final Pattern UFRAG = Pattern.compile("a=ice-ufrag:(\\S+)");

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    Limits limits = new Limits(100, 64 * 1024, Duration.ofSeconds(30), GRACE);
    gateway = TestGateway.start(limits, StreamConfig.of("pattern", "pattern:320x180@30"));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @AfterEach
  void nothingLeft() {
    Await.until(() -> "0 sessions, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(0, gateway.streams().find("pattern").orElseThrow().viewers());
  }

  @Test
  void iceRestartIsAnsweredWithoutEndingTheSession() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(10, WAIT);
      Session session = gateway.sessions().all().get(0);
      String firstUfrag = ufrag(viewer.answerSdp());

      for (int restart = 1; restart <= 3; restart++) {
        String answer = viewer.restartIce();
        assertNotEquals(firstUfrag, ufrag(answer), "an ICE restart answer carries new ICE credentials");
        int frames = viewer.frameCount();
        viewer.awaitFrames(frames + 15, WAIT);
        assertEquals(1, gateway.sessions().count(), "restart " + restart + " must not add a session");
        assertSame(session, gateway.sessions().all().get(0), "restart " + restart + " keeps the session");
        assertFalse(session.ended().isDone());
      }
      // The grace period is 1 s: a restart that had left ICE disconnected would have ended it.
      int frames = viewer.frameCount();
      viewer.awaitFrames(frames + 2 * 30 * (int) GRACE.toSeconds(), WAIT);
      assertFalse(session.ended().isDone());
      assertFalse(viewer.signaling().isClosed());
    }
  }

  @Test
  void mediaGoneWithSocketOpenEndsTheSessionAfterTheGracePeriod() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(5, WAIT);
      Session session = gateway.sessions().all().get(0);
      long dropped = System.nanoTime();
      viewer.dropMedia();
      // The viewer's closed peer connection leaves the gateway's ICE disconnected at once (measured:
      // the session ends 1012-1023 ms after, with a 1 s grace); ICE failing would take far longer.
      assertEquals(CloseCodes.ICE_ENDED, viewer.signaling().awaitClose(GRACE.plusSeconds(5)));
      EndReason reason = session.ended().get(1, TimeUnit.SECONDS);
      assertEquals(EndReason.ICE_TIMEOUT, reason, "ended by the grace period running out");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
      assertTrue(millis >= GRACE.toMillis(), "ended " + millis + " ms after the media went, before the grace period");
    }
  }

  @Test
  void socketDroppedWithoutCloseHandshakeEndsTheSession() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(5, WAIT);
      Session session = gateway.sessions().all().get(0);
      viewer.signaling().abort();
      assertEquals(EndReason.VIEWER_LEFT, session.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
  }

  private static String ufrag(String sdp) {
    Matcher matcher = UFRAG.matcher(sdp);
    assertTrue(matcher.find(), "no ice-ufrag in " + sdp);
    return matcher.group(1);
  }
}
