package io.webrtcgw.signaling.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import io.webrtcgw.testing.WallViewer;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wall's protocol on {@code /ws} against the real gateway, with a webrtc-java viewer of several
 * transceivers: each subscribed media section gets its own stream, the others stay inactive; bad
 * subscriptions get an error naming the tile while the rest plays; tiles come and go, are sized
 * and restarted on the one session.
 */
class WallProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String TOKEN_A = "wall-token-a-4242";
  private static final int MAX_TILES = 4;

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestGateway.config(Limits.DEFAULT.withMaxTilesPerSession(MAX_TILES),
            StreamConfig.of("small", "pattern:320x180@30"),
            StreamConfig.of("wide", "pattern:640x360@30"),
            StreamConfig.of("third", "pattern:320x180@30"),
            new StreamConfig("locked-a", "pattern:320x180@30", false, 0, List.of(TOKEN_A)),
            new StreamConfig("locked-b", "pattern:320x180@30", false, 0, List.of("wall-token-b-4242")),
            new StreamConfig("single", "pattern:320x180@30", false, 1))
        .withAuth(AuthConfig.NONE));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @AfterEach
  void noSessionLeft() {
    Await.until("every session ended", () -> gateway.sessions().count() == 0, WAIT);
    for (var stream : gateway.streams().all()) {
      assertEquals(0, stream.viewers(), "viewers left on " + stream.name());
    }
  }

  @Test
  void eachSubscribedSectionGetsItsStreamAndTheOthersStayInactive() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      assertFalse(wall.hello().has("stream"), "a wall's hello names no stream: " + wall.hello());
      wall.addTiles(3);
      String answer = wall.negotiate(w -> {
        w.subscribe(0, "small");
        w.subscribe(1, "wide");
      });
      assertEquals(List.of("sendonly", "sendonly", "inactive"), directions(answer));
      wall.awaitSize(0, 320, 180, WAIT);
      wall.awaitSize(1, 640, 360, WAIT);
      wall.awaitMoreFrames(0, 30, WAIT);
      assertEquals(0, wall.frames(2));
      assertEquals(1, gateway.sessions().count());
      Session session = gateway.sessions().all().get(0);
      assertTrue(session.isWall());
      assertEquals(Session.WALL, session.streamName());
      assertEquals(List.of("small", "wide"), session.tileStreams());
      assertEquals(1, viewers("small"));
      assertEquals(1, viewers("wide"));
      assertEquals(List.of(), wall.errors());
    }
  }

  @Test
  void badSubscriptionsGetAnErrorNamingTheTileAndTheRestPlays() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), TOKEN_A)) {
      wall.addTiles(MAX_TILES + 1);
      wall.negotiate(w -> {
        w.subscribe(0, "small");
        w.subscribe(1, "no-such-stream");
        w.subscribe(2, "locked-a");
        w.subscribe(3, "locked-b");
        w.subscribe(0, "wide");
        w.sendRaw("{\"type\":\"subscribe\",\"mid\":\"" + w.mid(4) + "\"}");
        w.sendRaw("{\"type\":\"subscribe\",\"mid\":\"a b\",\"stream\":\"small\"}");
        w.sendRaw("{\"type\":\"unsubscribe\",\"mid\":\"99\"}");
        w.sendRaw("{\"type\":\"viewport\",\"width\":320,\"height\":180,\"visible\":true}");
      });
      assertEquals("no-such-stream", wall.awaitError("unknown-stream", wall.mid(1), WAIT).path("stream").asText());
      assertEquals("locked-b", wall.awaitError("forbidden", wall.mid(3), WAIT).path("stream").asText());
      JsonNode duplicate = wall.awaitError("bad-message", wall.mid(0), WAIT);
      assertTrue(duplicate.path("message").asText().contains("already carries stream 'small'"), duplicate.toString());
      wall.awaitError("bad-message", "99", WAIT);
      assertEquals(5, wall.errors().stream().filter(e -> e.path("code").asText().equals("bad-message")).count(),
          "duplicate, no stream, bad mid, unknown mid, viewport without mid: " + wall.errors());
      wall.awaitSize(0, 320, 180, WAIT);
      wall.awaitMoreFrames(2, 20, WAIT);
      assertEquals(0, wall.frames(1));
      assertEquals(0, wall.frames(3));
      assertEquals(1, viewers("locked-a"));
      assertEquals(0, viewers("locked-b"));
    }
  }

  @Test
  void theTileLimitAndTheStreamsViewerLimitRefuseOneTile() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      wall.addTiles(MAX_TILES + 1);
      wall.negotiate(w -> {
        w.subscribe(0, "small");
        w.subscribe(1, "single");
        w.subscribe(2, "single");
        w.subscribe(3, "wide");
        w.subscribe(4, "third");
      });
      // "single" allows one viewer: its second tile is busy, which leaves room for "third".
      assertEquals("single", wall.awaitError("busy", wall.mid(2), WAIT).path("stream").asText());
      assertEquals(List.of(), wall.errors().stream().filter(e -> e.path("code").asText().equals("tile-limit")).toList());
      wall.awaitMoreFrames(4, 10, WAIT);

      // A fifth tile is one too many.
      wall.send(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
          .put("type", "subscribe").put("mid", wall.mid(2)).put("stream", "small"));
      assertEquals(wall.mid(2), wall.awaitError("tile-limit", wall.mid(2), WAIT).path("mid").asText());
      wall.awaitMoreFrames(0, 10, WAIT);
    }
  }

  @Test
  void aTileIsRemovedAtOnceAndItsSectionCarriesAnotherStreamAfterTheNextOffer() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      wall.addTiles(2);
      wall.negotiate(w -> {
        w.subscribe(0, "small");
        w.subscribe(1, "wide");
      });
      wall.awaitSize(1, 640, 360, WAIT);
      String sessionId = wall.hello().path("session").asText();

      wall.unsubscribe(1);
      Await.until("the removed tile's viewer slot back", () -> viewers("wide") == 0, WAIT);
      awaitNoFramesFor(wall, 1, Duration.ofMillis(700));
      wall.awaitMoreFrames(0, 10, WAIT);
      assertEquals(List.of("sendonly", "inactive"), directions(wall.negotiate(w -> { })));

      // The same section, now for another stream; and a new one added beside it.
      wall.addTiles(1);
      String answer = wall.negotiate(w -> {
        w.subscribe(1, "third");
        w.subscribe(2, "wide");
      });
      assertEquals(List.of("sendonly", "sendonly", "sendonly"), directions(answer));
      wall.awaitSize(2, 640, 360, WAIT);
      wall.awaitMoreFrames(1, 10, WAIT);
      assertEquals(320, wall.received(1).width());
      assertEquals(1, gateway.sessions().count());
      assertEquals(sessionId, gateway.sessions().all().get(0).id());
      assertEquals(List.of("small", "third", "wide"), gateway.sessions().all().get(0).tileStreams());
    }
  }

  @Test
  void eachTileIsEncodedForItsOwnViewport() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      wall.addTiles(2);
      wall.negotiate(w -> {
        w.subscribe(0, "wide");
        w.subscribe(1, "wide");
      });
      wall.awaitSize(0, 640, 360, WAIT);
      wall.viewport(0, 320, 180, true);
      wall.awaitSize(0, 320, 180, WAIT);
      wall.awaitMoreFrames(1, 10, WAIT);
      assertEquals(640, wall.received(1).width(), "the other tile keeps its size");
      wall.viewport(1, 320, 180, false);
      awaitNoFramesFor(wall, 1, Duration.ofMillis(700));
      wall.awaitMoreFrames(0, 10, WAIT);
      wall.viewport(0, 1280, 720, true);
      wall.awaitSize(0, 640, 360, WAIT);
    }
  }

  @Test
  void oneIceRestartKeepsEveryTile() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      wall.addTiles(3);
      wall.negotiate(w -> {
        w.subscribe(0, "small");
        w.subscribe(1, "wide");
        w.subscribe(2, "third");
      });
      wall.awaitMoreFrames(2, 10, WAIT);
      String before = iceUfrag(wall.signaling().drain().toString());
      String answer = wall.restartIce();
      assertEquals(List.of("sendonly", "sendonly", "sendonly"), directions(answer));
      assertFalse(iceUfrag(answer).equals(before), "the answer has new ICE credentials");
      for (int i = 0; i < 3; i++) {
        wall.awaitMoreFrames(i, 30, WAIT);
      }
      assertEquals(1, gateway.sessions().count());
      assertEquals(List.of(), wall.errors());
    }
  }

  @Test
  void aWallsSocketTakesTheLongOffersOfManyTiles() throws Exception {
    try (WallViewer wall = WallViewer.open(peers.factory(), gateway.port(), null)) {
      // Past maxMessageBytes (64 KiB), within what a wall of MAX_TILES tiles may send.
      String sdp = "v=0\r\na=x-padding:" + "x".repeat(80_000) + "\r\n";
      wall.send(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "offer").put("sdp", sdp));
      wall.awaitError("no-video", null, WAIT);
      assertFalse(wall.signaling().isClosed(), "the socket stays open");
    }
  }

  @Test
  void aSingleStreamSocketRefusesSubscribeAndGoesOn() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "small")) {
      viewer.awaitFrames(5, WAIT);
      viewer.signaling().send("{\"type\":\"subscribe\",\"mid\":\"1\",\"stream\":\"wide\"}");
      JsonNode error = viewer.signaling().next(WAIT);
      while (!error.path("type").asText().equals("error")) {
        error = viewer.signaling().next(WAIT);
      }
      assertEquals("bad-message", error.path("code").asText(), error.toString());
      assertEquals(0, viewers("wide"));
      int before = viewer.frameCount();
      viewer.awaitFrames(before + 10, WAIT);
    }
  }

  private static int viewers(String stream) {
    return gateway.streams().find(stream).orElseThrow().viewers();
  }

  private static final Pattern DIRECTION = Pattern.compile("^a=(sendonly|recvonly|sendrecv|inactive)\\r?$",
      Pattern.MULTILINE);

  /** The direction of each media section of an answer, in order. */
  static List<String> directions(String sdp) {
    Matcher m = DIRECTION.matcher(sdp);
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String iceUfrag(String sdp) {
    Matcher m = Pattern.compile("a=ice-ufrag:(\\S+?)(?:\\\\r|\\r|\\n|\")").matcher(sdp);
    return m.find() ? m.group(1) : "";
  }

  /** Frame delivery stopping is an absence, so it is seen as no new frame for {@code quiet}. */
  private static void awaitNoFramesFor(WallViewer wall, int index, Duration quiet) {
    long[] lastChange = {System.nanoTime()};
    int[] lastCount = {wall.frames(index)};
    Await.until("frames of tile " + index + " to stop", () -> {
      int count = wall.frames(index);
      if (count != lastCount[0]) {
        lastCount[0] = count;
        lastChange[0] = System.nanoTime();
      }
      return System.nanoTime() - lastChange[0] >= quiet.toNanos();
    }, WAIT);
  }
}
