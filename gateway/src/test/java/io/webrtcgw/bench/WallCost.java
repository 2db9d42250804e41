package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.webrtcgw.testing.Browser;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 16-tile dashboard in headless Chromium, two ways on the same gateway: the wall page (one
 * WebSocket and one peer connection for all tiles) and a page of 16 {@code /embed} iframes (one of
 * each per tile). Both show 640x360@30 sources in 320x180 tiles, in a 1280x720 page that neither
 * scrolls. For each: the time from
 * navigation until every tile has shown a frame, over several loads, and the gateway's and the
 * browser's CPU while all 16 play.
 */
final class WallCost {
  private static final Logger log = LoggerFactory.getLogger(WallCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int TILES = 16;
  static final String SOURCE = "pattern:640x360@30";
  private static final List<String> STREAMS =
      IntStream.rangeClosed(1, TILES).mapToObj(i -> String.format("w%02d", i)).toList();
  /** 4 columns of 320 px in a 1280 px wide window: 320x180 tiles either way. */
  private static final String GRID = "display:grid;grid-template-columns:repeat(4,320px);gap:0";
  /** The page's size in CSS pixels: 4 rows of 180 px fill it exactly. */
  private static final Dimension VIEWPORT = new Dimension(1280, 720);

  private final Path jar;
  private final Path out;
  private final boolean quick;

  WallCost(Path jar, Path out, boolean quick) {
    this.jar = jar;
    this.out = out;
    this.quick = quick;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode().put("tiles", TILES).put("source", SOURCE);
    if (!BrowserProbe.available()) {
      return result.put("skipped", "Debian's chromium and chromium-driver are not installed");
    }
    Map<String, String> sources = new LinkedHashMap<>();
    STREAMS.forEach(name -> sources.put(name, SOURCE));
    HttpServer site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "wall", sources, false);
        Browser browser = new Browser()) {
      browser.driver().manage().timeouts().scriptTimeout(Duration.ofMinutes(2));
      fitViewport(browser);
      StringBuilder page = new StringBuilder("<!doctype html><title>16 embeds</title>"
          + "<style>html,body{margin:0;background:#000}iframe{display:block;border:0;width:320px;height:180px}</style>"
          + "<div style=\"" + GRID + "\">");
      for (String stream : STREAMS) {
        page.append("<iframe allow=\"autoplay\" src=\"http://127.0.0.1:").append(gateway.port()).append("/embed/")
            .append(stream).append("\"></iframe>");
      }
      byte[] body = page.append("</div>").toString().getBytes(StandardCharsets.UTF_8);
      site.createContext("/embeds.html", exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream stream = exchange.getResponseBody()) {
          stream.write(body);
        }
      });
      site.start();
      String wallUrl = "http://127.0.0.1:" + gateway.port() + "/wall?columns=4&streams=" + String.join(",", STREAMS);
      String embedsUrl = "http://127.0.0.1:" + site.getAddress().getPort() + "/embeds.html";
      int loads = quick ? 3 : 10;
      // The first load of each warms the gateway's JIT and the browser's caches; it is not counted.
      log.info("wall: {} loads of the wall page and of 16 embeds, alternating (+1 each not counted)", loads);
      List<Double> wallTimes = new ArrayList<>();
      List<Double> embedTimes = new ArrayList<>();
      for (int i = 0; i <= loads; i++) {
        double wall = loadWall(browser, gateway.port(), wallUrl);
        if (i == 0) {
          // The wall page fits its grid to the window: in 1280x720, 320x180 tiles, as the embeds.
          String tileSize = (String) browser.script("const v = document.getElementById('wall').tiles[0].video;"
              + "return v.clientWidth + 'x' + v.clientHeight");
          if (!"320x180".equals(tileSize)) {
            throw new IllegalStateException("the wall's tiles are " + tileSize + ", not 320x180 as the embeds");
          }
          result.put("tileSize", tileSize).put("viewport", VIEWPORT.width + "x" + VIEWPORT.height);
        }
        double embeds = loadEmbeds(browser, gateway.port(), embedsUrl);
        if (i > 0) {
          wallTimes.add(wall);
          embedTimes.add(embeds);
        }
        log.info("  load {}: all 16 tiles showing video after {} ms (wall), {} ms (embeds)", i,
            Percentiles.round(wall), Percentiles.round(embeds));
      }
      ObjectNode wall = result.putObject("wallPage");
      ObjectNode embeds = result.putObject("embeds");
      new Percentiles(wallTimes).writeTo(wall.putObject("allTilesVideoMs"));
      new Percentiles(embedTimes).writeTo(embeds.putObject("allTilesVideoMs"));
      wall.set("allLoadsMs", JSON.valueToTree(wallTimes.stream().map(Percentiles::round).toList()));
      embeds.set("allLoadsMs", JSON.valueToTree(embedTimes.stream().map(Percentiles::round).toList()));

      // The two pages take turns, one window each per round, so that neither gets the quieter
      // minutes of a shared machine or the browser's leftovers from the other.
      int rounds = quick ? 2 : 8;
      log.info("wall: CPU while each page plays, {} rounds of the wall page then 16 embeds", rounds);
      List<ObjectNode> wallWindows = new ArrayList<>();
      List<ObjectNode> embedWindows = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        loadWall(browser, gateway.port(), wallUrl);
        wallWindows.add(window(gateway, browser, true));
        loadEmbeds(browser, gateway.port(), embedsUrl);
        embedWindows.add(window(gateway, browser, false));
      }
      wall.set("playing", summary(gateway, wallWindows, "wall page"));
      embeds.set("playing", summary(gateway, embedWindows, "16 embeds"));
      browser.driver().get("about:blank");
      GatewayProcess.awaitSessions(gateway.port(), 0, Duration.ofSeconds(20));
    } finally {
      site.stop(0);
    }
    return result;
  }

  /**
   * Sizes the window so that the page has 1280x720 CSS pixels: four rows of 320x180 tiles fit
   * without scrolling either page (the window's own frame takes some of --window-size).
   */
  private static void fitViewport(Browser browser) {
    browser.driver().get("about:blank");
    Dimension window = browser.driver().manage().window().getSize();
    long width = (Long) browser.script("return innerWidth");
    long height = (Long) browser.script("return innerHeight");
    browser.driver().manage().window().setSize(new Dimension(
        window.width + VIEWPORT.width - (int) width, window.height + VIEWPORT.height - (int) height));
    String now = browser.script("return innerWidth") + "x" + browser.script("return innerHeight");
    if (!now.equals(VIEWPORT.width + "x" + VIEWPORT.height)) {
      throw new IllegalStateException("the browser's viewport is " + now + ", not " + VIEWPORT.width + "x" + VIEWPORT.height);
    }
  }

  /** Loads the wall page; returns ms from navigation until its last tile showed a frame. */
  private static double loadWall(Browser browser, int port, String url) throws Exception {
    browser.driver().get("about:blank");
    GatewayProcess.awaitSessions(port, 0, Duration.ofSeconds(20));
    browser.driver().get(url);
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30)).withMessage(() -> "wall tiles: " + browser.script(
            "return document.getElementById('wall').tiles.map(t => t.state)"))
        .until(d -> Boolean.TRUE.equals(browser.script("const tiles = document.getElementById('wall')?.tiles ?? [];"
            + "return tiles.length === " + TILES + " && tiles.every(t => t.firstFrameMs !== null)")));
    return ((Number) browser.script("return Math.max(...document.getElementById('wall').tiles.map(t => t.firstFrameMs))"))
        .doubleValue();
  }

  /**
   * Loads the page of embeds; returns ms from its navigation until the last iframe's player showed
   * a frame (each iframe's first frame is on its own clock, so both are put on the wall clock).
   */
  private static double loadEmbeds(Browser browser, int port, String url) throws Exception {
    browser.driver().get("about:blank");
    GatewayProcess.awaitSessions(port, 0, Duration.ofSeconds(20));
    browser.driver().get(url);
    double origin = ((Number) browser.script("return performance.timeOrigin")).doubleValue();
    double last = 0;
    for (int i = 0; i < TILES; i++) {
      browser.driver().switchTo().frame(i);
      try {
        new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
            .until(d -> browser.script("return window.player?.stats().firstFrameMs ?? null") != null);
        double shown = ((Number) browser.script("return performance.timeOrigin + window.player.stats().firstFrameMs"))
            .doubleValue();
        last = Math.max(last, shown - origin);
      } finally {
        browser.driver().switchTo().defaultContent();
      }
    }
    return last;
  }

  /** One window of gateway and browser CPU while a page plays, with frames rendered per tile. */
  private ObjectNode window(GatewayProcess gateway, Browser browser, boolean wall) throws Exception {
    Thread.sleep(quick ? 3000 : 8000);
    long millis = quick ? 3000 : 6000;
    List<long[]> frames0 = frames(browser, wall);
    ProcStat g0 = gateway.stat();
    ThreadCpu t0 = ThreadCpu.of(gateway.pid(), ThreadCpu.GATEWAY);
    Map<Long, ProcStat> b0 = ProcStat.chromium();
    MachineStat m0 = MachineStat.now();
    Thread.sleep(millis);
    ProcStat g1 = gateway.stat();
    ThreadCpu t1 = ThreadCpu.of(gateway.pid(), ThreadCpu.GATEWAY);
    Map<Long, ProcStat> b1 = ProcStat.chromium();
    MachineStat m1 = MachineStat.now();
    List<long[]> frames1 = frames(browser, wall);
    List<Double> fps = new ArrayList<>();
    for (int t = 0; t < Math.min(frames0.size(), frames1.size()); t++) {
      // Each tile over the time between its own two reads: reading 16 iframes one by one takes
      // seconds, which the CPU window does not include.
      long[] before = frames0.get(t);
      long[] after = frames1.get(t);
      fps.add((after[0] - before[0]) / ((after[1] - before[1]) / 1e9));
    }
    ObjectNode node = JSON.createObjectNode()
        .put("gatewayCpuPercent", g1.cpuPercentSince(g0))
        .put("browserCpuPercent", ProcStat.cpuPercent(b0, b1))
        .put("machineBusyPercent", m1.busyPercentSince(m0, MachineStat.cores()))
        .put("windowSeconds", millis / 1000.0)
        .put("sessions", GatewayProcess.sessions(gateway.port()));
    node.set("tileFps", JSON.valueToTree(fps));
    node.set("gatewayParts", JSON.valueToTree(t1.percentSince(t0)));
    return node;
  }

  /** The windows of one page: medians with their spread. */
  private static ObjectNode summary(GatewayProcess gateway, List<ObjectNode> windows, String page) throws Exception {
    List<Double> gatewayCpu = windows.stream().map(w -> w.path("gatewayCpuPercent").asDouble()).toList();
    List<Double> browserCpu = windows.stream().map(w -> w.path("browserCpuPercent").asDouble()).toList();
    List<Double> machine = windows.stream().map(w -> w.path("machineBusyPercent").asDouble()).toList();
    List<Double> fps = new ArrayList<>();
    windows.forEach(w -> w.path("tileFps").forEach(value -> fps.add(value.asDouble())));
    ObjectNode node = JSON.createObjectNode().put("windows", windows.size())
        .put("windowSeconds", windows.get(0).path("windowSeconds").asDouble());
    new Percentiles(gatewayCpu).writeTo(node.putObject("gatewayCpuPercent"));
    new Percentiles(browserCpu).writeTo(node.putObject("browserCpuPercent"));
    new Percentiles(machine).writeTo(node.putObject("machineBusyPercent"));
    new Percentiles(fps).writeTo(node.putObject("tileFps"));
    // Where the gateway's CPU goes: what a wall can save is the connections' part only.
    ObjectNode parts = node.putObject("gatewayPartsPercent");
    windows.get(0).path("gatewayParts").fieldNames().forEachRemaining(part -> new Percentiles(
        windows.stream().map(w -> w.path("gatewayParts").path(part).asDouble()).toList()).writeTo(parts.putObject(part)));
    node.put("gatewayRssMiB", Percentiles.round(gateway.stat().rssKiB() / 1024.0));
    node.put("sessions", windows.get(windows.size() - 1).path("sessions").asInt());
    log.info("  {}: gateway {}% ({}-{}), browser {}% ({}-{}), machine {}%, tile fps median {} min {}", page,
        node.path("gatewayCpuPercent").path("median"), node.path("gatewayCpuPercent").path("min"),
        node.path("gatewayCpuPercent").path("max"), node.path("browserCpuPercent").path("median"),
        node.path("browserCpuPercent").path("min"), node.path("browserCpuPercent").path("max"),
        node.path("machineBusyPercent").path("median"), node.path("tileFps").path("median"),
        node.path("tileFps").path("min"));
    log.info("  {}: gateway by part, median: {}", page, partMedians(node));
    return node;
  }

  /** "sources 60.1 %, encoders 38.2 %, ..." from a summary's gatewayPartsPercent. */
  static String partMedians(JsonNode summary) {
    List<String> out = new ArrayList<>();
    summary.path("gatewayPartsPercent").fields().forEachRemaining(part ->
        out.add(part.getKey() + " " + part.getValue().path("median").asText() + " %"));
    return String.join(", ", out);
  }

  /** Frames each tile's video has rendered so far, each with the System.nanoTime() of its read. */
  @SuppressWarnings("unchecked")
  private static List<long[]> frames(Browser browser, boolean wall) {
    String quality = "const q = v.getVideoPlaybackQuality(); return q.totalVideoFrames - q.droppedVideoFrames;";
    if (wall) {
      List<Number> counts = (List<Number>) browser.script("return document.getElementById('wall').tiles.map(t => {"
          + "const v = t.video; " + quality + "})");
      long at = System.nanoTime();
      return counts.stream().map(n -> new long[] {n.longValue(), at}).toList();
    }
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < TILES; i++) {
      browser.driver().switchTo().frame(i);
      try {
        long count = ((Number) browser.script("const v = document.querySelector('video'); " + quality)).longValue();
        out.add(new long[] {count, System.nanoTime()});
      } finally {
        browser.driver().switchTo().defaultContent();
      }
    }
    return out;
  }
}
