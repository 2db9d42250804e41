package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.source.mjpeg.CameraHttpServer;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wall page in headless Chromium: sixteen streams over one RTCPeerConnection (counted in the
 * page), each tile at its own size and frame rate; tiles added and removed live; a camera that
 * goes away shown in its own tile while the others play, and back by itself; a token that opens
 * only some of the streams; a tile enlarged and shrunk, encoded to match.
 */
class WallBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(WallBrowserTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN_ALPHA = "alpha-viewer-token";
  private static final List<String> SIXTEEN =
      IntStream.rangeClosed(1, 16).mapToObj(i -> String.format("s%02d", i)).toList();

  /** Counts the page's RTCPeerConnections; runs before any script of the page. */
  private static final String COUNT_PEER_CONNECTIONS = String.join("\n",
      "window.peerConnections = 0;",
      "const Native = window.RTCPeerConnection;",
      "window.RTCPeerConnection = class extends Native {",
      "  constructor(...args) { super(...args); window.peerConnections++; }",
      "};");

  /**
   * Watches every tile's video for a few seconds (arguments: seconds, then the async callback):
   * frames presented (requestVideoFrameCallback), the decoded size, and the stamp's frame number
   * at the first and last frame.
   */
  static final String MEASURE_TILES = String.join("\n",
      "const [seconds, done] = arguments;",
      "function reader(video) {",
      // Browser.STAMP_READER without its first line, which picks the page's first video.
      Browser.STAMP_READER.substring(Browser.STAMP_READER.indexOf('\n') + 1),
      "  return readStamp;",
      "}",
      "const tiles = document.getElementById('wall').tiles;",
      "const results = {}; let pending = tiles.length;",
      "for (const tile of tiles) {",
      "  const video = tile.video; const read = reader(video); let first = null;",
      "  const onFrame = (now, meta) => {",
      "    if (first === null) first = { now, presented: meta.presentedFrames, frame: read().frame };",
      "    if (now - first.now < seconds * 1000) { video.requestVideoFrameCallback(onFrame); return; }",
      "    results[tile.stream] = { width: video.videoWidth, height: video.videoHeight,",
      "      shownWidth: Math.round(video.clientWidth * devicePixelRatio), shownHeight: Math.round(video.clientHeight * devicePixelRatio),",
      "      fps: (meta.presentedFrames - first.presented) * 1000 / (now - first.now),",
      "      firstFrame: first.frame, lastFrame: read().frame };",
      "    if (--pending === 0) done(results);",
      "  };",
      "  video.requestVideoFrameCallback(onFrame);",
      "}");

  private static CameraHttpServer camera;
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    camera = new CameraHttpServer("unused-password", 15);
    camera.steadySize = true;
    List<StreamConfig> streams = new ArrayList<>();
    for (String name : SIXTEEN) {
      streams.add(StreamConfig.of(name, "pattern:320x180@30"));
    }
    streams.add(StreamConfig.of("big", "pattern:640x360@30"));
    streams.add(new StreamConfig("alpha", "pattern:320x180@30", false, 0, List.of(TOKEN_ALPHA)));
    streams.add(new StreamConfig("beta", "pattern:320x180@30", false, 0, List.of("beta-viewer-token")));
    streams.add(StreamConfig.of("cam", camera.url("/cam"))
        .withOptions(SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(1))));
    gateway = TestGateway.start(TestGateway.config(io.webrtcgw.config.Limits.DEFAULT,
        streams.toArray(StreamConfig[]::new)));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (camera != null) {
      camera.close();
    }
  }

  @AfterEach
  void everySessionEnds() {
    Await.until("no session left", () -> gateway.sessions().count() == 0, WAIT);
  }

  @Test
  void sixteenStreamsPlayOverOnePeerConnection() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?columns=4&streams=" + String.join(",", SIXTEEN));
      awaitTiles(browser, SIXTEEN.stream().map(s -> s + ":playing").toList());
      assertEquals(1L, browser.script("return window.peerConnections"));
      assertEquals(1, gateway.sessions().count());
      Session session = gateway.sessions().all().get(0);
      assertTrue(session.isWall());
      assertEquals(SIXTEEN, session.tileStreams().stream().sorted().toList());
      for (String stream : SIXTEEN) {
        assertEquals(1, viewers(stream), "viewers of " + stream);
      }

      // Measured once every tile is under way (bandwidth estimation ramps up over the first frames).
      new WebDriverWait(browser.driver(), WAIT).withMessage(() -> "every tile to render 45 frames")
          .until(d -> Boolean.TRUE.equals(browser.script("return document.getElementById('wall').tiles"
              + ".every(t => t.video.getVideoPlaybackQuality().totalVideoFrames >= 45)")));
      @SuppressWarnings("unchecked")
      // 8 s: on 2 cores one tile's encoder may skip a few frames in a burst (a key frame, a
      // bandwidth probe), which a short window would count as the tile's rate.
      Map<String, Map<String, Number>> tiles = (Map<String, Map<String, Number>>) browser.asyncScript(MEASURE_TILES, 8);
      log.info("16 tiles: {}", tiles);
      assertEquals(16, tiles.size());
      assertTrue(Boolean.TRUE.equals(browser.script("return document.documentElement.scrollHeight <= innerHeight")),
          "the wall fits the window: every tile in view without scrolling");
      for (String stream : SIXTEEN) {
        Map<String, Number> tile = tiles.get(stream);
        // Fitted to the window's height, a tile is shown smaller than the 320x180 source; its
        // encoding takes the scale step at or above the size shown, here the source's own.
        assertTrue(tile.get("shownWidth").intValue() < 320, stream + " shown smaller than its source: " + tile);
        assertEquals(320, tile.get("width").intValue(), stream + ": " + tile);
        assertEquals(180, tile.get("height").intValue(), stream + ": " + tile);
        assertTrue(tile.get("fps").doubleValue() >= 25, stream + " at >= 25 fps: " + tile);
        assertTrue(tile.get("lastFrame").intValue() != tile.get("firstFrame").intValue(),
            stream + "'s stamp advances: " + tile);
      }
    }
  }

  @Test
  void tilesAreAddedAndRemovedOnTheSameConnection() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?streams=s01,s02,s03");
      awaitTiles(browser, List.of("s01:playing", "s02:playing", "s03:playing"));
      Object sessionBefore = browser.script("return document.getElementById('wall').wall.stats().session");

      browser.script("document.getElementById('wall').setAttribute('streams', 's01,s03,s04')");
      awaitTiles(browser, List.of("s01:playing", "s03:playing", "s04:playing"));
      Await.until("the removed tile's viewer slot given back", () -> viewers("s02") == 0, WAIT);
      assertEquals(1, viewers("s04"));
      assertEquals(1L, browser.script("return window.peerConnections"));
      assertEquals(sessionBefore, browser.script("return document.getElementById('wall').wall.stats().session"));
      assertEquals(1, gateway.sessions().count());
      assertEquals(List.of("s01", "s03", "s04"), gateway.sessions().all().get(0).tileStreams().stream().sorted().toList());
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Number>> tiles = (Map<String, Map<String, Number>>) browser.asyncScript(MEASURE_TILES, 2);
      for (String stream : List.of("s01", "s03", "s04")) {
        assertTrue(tiles.get(stream).get("lastFrame").intValue() != tiles.get(stream).get("firstFrame").intValue(),
            stream + " plays after the change: " + tiles);
      }
      assertEquals(0L, browser.script("return document.getElementById('wall').wall.stats().attempts - 1"),
          "no reconnection: one attempt");
    }
  }

  @Test
  void oneIceRestartRecoversEveryTile() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?streams=s01,s02,s03,s04");
      awaitTiles(browser, List.of("s01:playing", "s02:playing", "s03:playing", "s04:playing"));
      Object before = remoteUfrag(browser);
      browser.script("document.getElementById('wall').wall.restartIce()");
      new WebDriverWait(browser.driver(), WAIT).withMessage(() -> "a new remote ICE ufrag, still " + before)
          .until(d -> !before.equals(remoteUfrag(browser)));
      awaitTiles(browser, List.of("s01:playing", "s02:playing", "s03:playing", "s04:playing"));
      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) browser.script("return document.getElementById('wall').wall.stats()");
      assertEquals(1L, stats.get("iceRestarts"));
      assertEquals(1L, stats.get("attempts"));
      assertEquals(1, gateway.sessions().count());
      assertEquals(stats.get("session"), gateway.sessions().all().get(0).id());
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Number>> tiles = (Map<String, Map<String, Number>>) browser.asyncScript(MEASURE_TILES, 2);
      for (String stream : List.of("s01", "s02", "s03", "s04")) {
        assertTrue(tiles.get(stream).get("fps").doubleValue() >= 25, stream + " after the restart: " + tiles);
      }
    }
  }

  /** The gateway's ICE ufrag in the answer the wall applied. */
  private static Object remoteUfrag(Browser browser) {
    return String.valueOf(browser.script("return document.getElementById('wall').wall.stats().gatewayIceUfrag"));
  }

  @Test
  void aCameraThatGoesAwayShowsInItsOwnTileAndComesBack() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?streams=cam,s01");
      awaitTiles(browser, List.of("cam:playing", "s01:playing"));

      camera.mode = CameraHttpServer.Mode.STALL_MID_PART;
      awaitTiles(browser, List.of("cam:waiting", "s01:playing"));
      String shown = (String) browser.script("return document.getElementById('wall').tiles[0].element"
          + ".querySelector('.label').textContent");
      assertTrue(shown.contains("cam") && shown.contains("Waiting") && shown.contains("no data"),
          "the tile names its stream, state and reason: " + shown);
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Number>> tiles = (Map<String, Map<String, Number>>) browser.asyncScript(
          MEASURE_TILES.replace("const tiles = document.getElementById('wall').tiles;",
              "const tiles = document.getElementById('wall').tiles.filter(t => t.stream === 's01');"), 2);
      assertTrue(tiles.get("s01").get("fps").doubleValue() >= 25, "the other tile plays on: " + tiles);

      camera.mode = CameraHttpServer.Mode.STREAM;
      awaitTiles(browser, List.of("cam:playing", "s01:playing"));
      assertEquals(1L, browser.script("return document.getElementById('wall').wall.stats().attempts"));
    } finally {
      camera.mode = CameraHttpServer.Mode.STREAM;
    }
  }

  @Test
  void aTokenOpensOnlySomeOfTheStreams() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?streams=alpha,beta,s01&token=" + TOKEN_ALPHA);
      awaitTiles(browser, List.of("alpha:playing", "beta:failed", "s01:playing"));
      String shown = (String) browser.script("return document.getElementById('wall').tiles[1].element"
          + ".querySelector('.label').textContent");
      assertTrue(shown.contains("does not open stream 'beta'"), shown);
      assertEquals(1, viewers("alpha"));
      assertEquals(0, viewers("beta"));
    }
  }

  @Test
  void anEnlargedTileIsEncodedBiggerAndSmallerAgainWhenShrunk() throws Exception {
    try (Browser browser = new Browser()) {
      open(browser, "/wall?columns=4&streams=big,s01,s02,s03");
      awaitTiles(browser, List.of("big:playing", "s01:playing", "s02:playing", "s03:playing"));
      awaitDecodedWidth(browser, 320);
      browser.script("document.getElementById('wall').tiles[0].element.click()");
      awaitDecodedWidth(browser, 640);
      @SuppressWarnings("unchecked")
      Map<String, Number> enlarged = (Map<String, Number>) browser.script("const tile = document.getElementById('wall')"
          + ".tiles[0].element; const box = tile.getBoundingClientRect();"
          + "return { width: box.width, height: box.height, grid: tile.parentElement.getBoundingClientRect().width,"
          + "  page: document.documentElement.clientWidth, window: innerHeight }");
      assertEquals(enlarged.get("grid").doubleValue(), enlarged.get("width").doubleValue(), 1.0,
          "the enlarged tile spans the grid: " + enlarged);
      assertTrue(enlarged.get("height").doubleValue() <= enlarged.get("window").doubleValue() + 1
              && (enlarged.get("width").doubleValue() >= enlarged.get("page").doubleValue() - 1
                  || enlarged.get("height").doubleValue() >= enlarged.get("window").doubleValue() - 1),
          "and as large as the window allows: " + enlarged);
      browser.script("document.getElementById('wall').tiles[0].element.click()");
      awaitDecodedWidth(browser, 320);
    }
  }

  private static void open(Browser browser, String path) {
    browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", COUNT_PEER_CONNECTIONS));
    browser.driver().get("http://127.0.0.1:" + gateway.port() + path);
  }

  /** Waits until the tiles are, in order, {@code stream:state} as given. */
  private static void awaitTiles(Browser browser, List<String> expected) {
    new WebDriverWait(browser.driver(), WAIT)
        .withMessage(() -> "tiles " + tiles(browser) + ", expected " + expected + "; the wall: "
            + browser.script("return JSON.stringify(document.getElementById('wall').wall?.stats())"))
        .until(d -> expected.equals(tiles(browser)));
  }

  @SuppressWarnings("unchecked")
  private static List<String> tiles(Browser browser) {
    Object states = browser.script("const wall = document.getElementById('wall');"
        + "return wall && wall.tiles ? wall.tiles.map(t => t.stream + ':' + t.state) : []");
    return ((List<Object>) states).stream().map(String::valueOf).collect(Collectors.toList());
  }

  private static void awaitDecodedWidth(Browser browser, int width) {
    new WebDriverWait(browser.driver(), WAIT)
        .withMessage(() -> "the first tile decoded at " + browser.script(
            "return document.getElementById('wall').tiles[0].video.videoWidth") + ", expected " + width)
        .until(d -> ((Number) browser.script("return document.getElementById('wall').tiles[0].video.videoWidth"))
            .intValue() == width);
  }

  private static int viewers(String stream) {
    return gateway.streams().find(stream).orElseThrow().viewers();
  }
}
