package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Firefox;
import io.webrtcgw.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wall page in Debian's Firefox ESR: four streams over one session, each tile at full rate,
 * and a tile added and removed on the same connection.
 */
class FirefoxWallTest {
  private static final Logger log = LoggerFactory.getLogger(FirefoxWallTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> STREAMS = IntStream.rangeClosed(1, 5).mapToObj(i -> "f" + i).toList();

  private static Gateway gateway;
  private static Firefox firefox;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(STREAMS.stream().map(name -> StreamConfig.of(name, "pattern:320x180@30"))
        .toArray(StreamConfig[]::new));
    firefox = Firefox.start();
  }

  @AfterAll
  static void stop() {
    try {
      if (firefox != null) {
        firefox.close();
      }
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  @AfterEach
  void leavePage() {
    firefox.navigate("about:blank");
    Await.until(() -> "the session to end when Firefox leaves the page, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(List.of(), firefox.strayRequests(), "Firefox tried to reach hosts other than loopback");
  }

  @Test
  void fourTilesPlayOverOneSessionAndOneIsSwappedLive() {
    firefox.navigate("http://127.0.0.1:" + gateway.port() + "/wall?columns=2&streams=f1,f2,f3,f4");
    awaitTiles(List.of("f1:playing", "f2:playing", "f3:playing", "f4:playing"));
    assertEquals(1, gateway.sessions().count());
    Object session = firefox.script("return document.getElementById('wall').wall.stats().session");
    assertEquals(gateway.sessions().all().get(0).id(), session);

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Number>> tiles = (Map<String, Map<String, Number>>) firefox.page().asyncScript(
        WallBrowserTest.MEASURE_TILES, Duration.ofSeconds(40), 4);
    log.info("{}: 4 tiles {}", firefox.version(), tiles);
    for (String stream : List.of("f1", "f2", "f3", "f4")) {
      Map<String, Number> tile = tiles.get(stream);
      assertTrue(tile.get("width").intValue() > 0 && tile.get("width").intValue() <= 320, stream + ": " + tile);
      assertTrue(tile.get("fps").doubleValue() >= 25, stream + " at >= 25 fps: " + tile);
      assertTrue(tile.get("lastFrame").intValue() != tile.get("firstFrame").intValue(), stream + " advances: " + tile);
    }

    firefox.script("document.getElementById('wall').setAttribute('streams', 'f1,f2,f3,f5')");
    awaitTiles(List.of("f1:playing", "f2:playing", "f3:playing", "f5:playing"));
    Await.until("f4's viewer slot given back", () -> gateway.streams().find("f4").orElseThrow().viewers() == 0, WAIT);
    assertEquals(1, gateway.sessions().count());
    assertEquals(session, firefox.script("return document.getElementById('wall').wall.stats().session"));
    assertEquals(List.of("f1", "f2", "f3", "f5"), gateway.sessions().all().get(0).tileStreams().stream().sorted().toList());
  }

  private static void awaitTiles(List<String> expected) {
    Object[] last = {null};
    Await.until(() -> "tiles " + last[0] + ", expected " + expected + "; the wall: "
        + firefox.script("return JSON.stringify(document.getElementById('wall').wall?.stats())"), () -> {
      last[0] = firefox.script("const wall = document.getElementById('wall');"
          + "return wall && wall.tiles ? wall.tiles.map(t => t.stream + ':' + t.state) : []");
      return expected.equals(last[0]);
    }, WAIT);
  }
}
