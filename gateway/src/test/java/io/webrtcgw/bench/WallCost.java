package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 16-tile dashboard in headless Chromium, two ways on the same gateway: the wall page (one
 * WebSocket and one peer connection for all tiles) and a page of 16 {@code /embed} iframes (one of
 * each per tile). Both show 640x360@30 sources in 320x180 tiles. For each: the time from
 * navigation until every tile has shown a frame, over several loads, and the gateway's and the
 * browser's CPU while all 16 play.
 */
final class WallCost {
  private static final Logger log = LoggerFactory.getLogger(WallCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SESSIONS = Pattern.compile("\"sessions\"\\s*:\\s*(\\d+)");
  static final int TILES = 16;
  static final String SOURCE = "pattern:640x360@30";
  private static final List<String> STREAMS =
      IntStream.rangeClosed(1, TILES).mapToObj(i -> String.format("w%02d", i)).toList();
  /** 4 columns of 320 px in a 1280 px wide window: 320x180 tiles either way. */
  private static final String GRID = "display:grid;grid-template-columns:repeat(4,320px);gap:0";

  private final Path jar;
  private final Path out;
  private final boolean quick;

  WallCost(Path jar, Path out, boolean quick) {
    this.jar = jar;
    this.out = out;
    this.quick = quick;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode().put("tiles", TILES).put("source", SOURCE).put("tileSize", "320x180");
    if (!BrowserProbe.available()) {
      return result.put("skipped", "Debian's chromium and chromium-driver are not installed");
    }
    Map<String, String> sources = new LinkedHashMap<>();
    STREAMS.forEach(name -> sources.put(name, SOURCE));
    HttpServer site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "wall", sources, false);
        Browser browser = new Browser()) {
      browser.driver().manage().timeouts().scriptTimeout(Duration.ofMinutes(2));
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

      log.info("wall: CPU while the wall page plays");
      loadWall(browser, gateway.port(), wallUrl);
      wall.set("playing", windows(gateway, browser, true));
      log.info("wall: CPU while 16 embeds play");
      loadEmbeds(browser, gateway.port(), embedsUrl);
      embeds.set("playing", windows(gateway, browser, false));
      browser.driver().get("about:blank");
      awaitSessions(gateway.port(), 0);
    } finally {
      site.stop(0);
    }
    return result;
  }

  /** Loads the wall page; returns ms from navigation until its last tile showed a frame. */
  private static double loadWall(Browser browser, int port, String url) throws Exception {
    browser.driver().get("about:blank");
    awaitSessions(port, 0);
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
    awaitSessions(port, 0);
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

  /** Gateway and browser CPU over several windows, with frames rendered per tile beside them. */
  private ObjectNode windows(GatewayProcess gateway, Browser browser, boolean wall) throws Exception {
    Thread.sleep(quick ? 3000 : 10_000);
    int count = quick ? 2 : 5;
    long millis = quick ? 3000 : 6000;
    List<Double> gatewayCpu = new ArrayList<>();
    List<Double> browserCpu = new ArrayList<>();
    List<Double> machine = new ArrayList<>();
    List<Double> fps = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<long[]> frames0 = frames(browser, wall);
      ProcStat g0 = gateway.stat();
      Map<Long, ProcStat> b0 = browserProcesses();
      MachineStat m0 = MachineStat.now();
      Thread.sleep(millis);
      ProcStat g1 = gateway.stat();
      Map<Long, ProcStat> b1 = browserProcesses();
      MachineStat m1 = MachineStat.now();
      List<long[]> frames1 = frames(browser, wall);
      gatewayCpu.add(g1.cpuPercentSince(g0));
      browserCpu.add(cpuPercent(b0, b1));
      machine.add(m1.busyPercentSince(m0, MachineStat.cores()));
      for (int t = 0; t < Math.min(frames0.size(), frames1.size()); t++) {
        // Each tile over the time between its own two reads: reading 16 iframes one by one takes
        // seconds, which the CPU window does not include.
        long[] before = frames0.get(t);
        long[] after = frames1.get(t);
        fps.add((after[0] - before[0]) / ((after[1] - before[1]) / 1e9));
      }
    }
    ObjectNode node = JSON.createObjectNode().put("windows", count).put("windowSeconds", millis / 1000.0);
    new Percentiles(gatewayCpu).writeTo(node.putObject("gatewayCpuPercent"));
    new Percentiles(browserCpu).writeTo(node.putObject("browserCpuPercent"));
    new Percentiles(machine).writeTo(node.putObject("machineBusyPercent"));
    new Percentiles(fps).writeTo(node.putObject("tileFps"));
    node.put("gatewayRssMiB", Percentiles.round(gateway.stat().rssKiB() / 1024.0));
    node.put("sessions", sessions(gateway.port()));
    log.info("  gateway {}% ({}-{}), browser {}% ({}-{}), machine {}%, tile fps median {} min {}",
        node.path("gatewayCpuPercent").path("median"), node.path("gatewayCpuPercent").path("min"),
        node.path("gatewayCpuPercent").path("max"), node.path("browserCpuPercent").path("median"),
        node.path("browserCpuPercent").path("min"), node.path("browserCpuPercent").path("max"),
        node.path("machineBusyPercent").path("median"), node.path("tileFps").path("median"),
        node.path("tileFps").path("min"));
    return node;
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

  /** Every Chromium process this JVM started (through chromedriver), by pid. */
  private static Map<Long, ProcStat> browserProcesses() {
    Map<Long, ProcStat> out = new HashMap<>();
    ProcessHandle.current().descendants().forEach(process -> {
      if (process.info().command().map(command -> command.contains("chrom")).orElse(false)) {
        try {
          out.put(process.pid(), ProcStat.of(process.pid()));
        } catch (IOException | RuntimeException e) {
          // it ended meanwhile
        }
      }
    });
    return out;
  }

  /** CPU of the processes present at both samples, in % of one core. */
  private static double cpuPercent(Map<Long, ProcStat> before, Map<Long, ProcStat> after) {
    double total = 0;
    for (Map.Entry<Long, ProcStat> entry : after.entrySet()) {
      ProcStat earlier = before.get(entry.getKey());
      if (earlier != null) {
        total += entry.getValue().cpuPercentSince(earlier);
      }
    }
    return total;
  }

  private static int sessions(int port) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = SESSIONS.matcher(body);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static void awaitSessions(int port, int count) {
    Await.until(() -> count + " sessions on the gateway", () -> {
      try {
        return sessions(port) == count;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, Duration.ofSeconds(20));
  }
}
