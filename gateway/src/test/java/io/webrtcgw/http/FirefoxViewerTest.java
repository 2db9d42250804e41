package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.Firefox;
import io.webrtcgw.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's Firefox ESR, driven over WebDriver BiDi, plays the gateway's stamped pattern through
 * the viewer page, through /embed in an iframe of another origin, and with {@code
 * ?signaling=whep}. One Firefox for the class; each test leaves it on about:blank.
 */
class FirefoxViewerTest {
  private static final Logger log = LoggerFactory.getLogger(FirefoxViewerTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The codec of the page's inbound video, from its player's peer connection stats. */
  private static final String INBOUND_CODEC = String.join("\n",
      "const done = arguments[arguments.length - 1];",
      "window.player.getStats().then((report) => {",
      "  for (const stat of report?.values() ?? []) {",
      "    if (stat.type === 'inbound-rtp' && stat.kind === 'video' && stat.codecId) {",
      "      done(report.get(stat.codecId)?.mimeType ?? null); return;",
      "    }",
      "  }",
      "  done(null);",
      "}, (err) => done('getStats failed: ' + err));");

  private static Gateway gateway;
  private static HttpServer site;
  private static Firefox firefox;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"));
    // The embedding site is 127.0.0.1 on a port of its own, while the gateway is addressed as
    // localhost: another origin by host and by port.
    site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] page = ("<!doctype html><title>Embedding site</title><h1>Our page</h1>"
        + "<iframe id=\"player\" width=\"640\" height=\"360\" allow=\"autoplay; fullscreen\" style=\"border:0\" "
        + "src=\"http://localhost:" + gateway.port() + "/embed/pattern\"></iframe>").getBytes(StandardCharsets.UTF_8);
    site.createContext("/iframe.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
    });
    site.start();
    firefox = Firefox.start();
  }

  @AfterAll
  static void stop() {
    try {
      if (firefox != null) {
        firefox.close();
      }
    } finally {
      if (site != null) {
        site.stop(0);
      }
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  /** Leaving the page ends its session (the player stops on pagehide), so the next test starts clean. */
  @AfterEach
  void leavePage() {
    firefox.navigate("about:blank");
    Await.until(() -> "the session to end when Firefox leaves the page, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(List.of(), firefox.strayRequests(), "Firefox tried to reach hosts other than loopback");
  }

  @Test
  void viewerPagePlaysThePatternAtFullRate() throws Exception {
    firefox.navigate(gatewayUrl("/view/pattern"));
    firefox.awaitState("playing", WAIT);

    Browser.Playback playback = firefox.measurePlayback(5);
    log.info("{}: /view rendered {} frames in {} s = {} fps at {}x{}, {}, stamp latency {} ms", firefox.version(),
        playback.presented(), playback.seconds(), String.format("%.1f", playback.fps()), playback.width(),
        playback.height(), firefox.asyncScript(INBOUND_CODEC), playback.latencyMs());
    assertEquals(640, playback.width());
    assertEquals(360, playback.height());
    assertTrue(playback.seconds() >= 4.9, "measured for " + playback.seconds() + " s");
    assertTrue(playback.fps() >= 25, "rendered " + playback.fps() + " fps, expected at least 25");
    assertFramesAdvanceInOrder(playback.frameNumbers());
    assertEquals(1, gateway.sessions().count());
    // Media flows between this machine's own addresses, whichever interfaces ICE picked.
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> pair = (Map<String, Map<String, Object>>) firefox.page()
        .call("() => window.player.selectedCandidatePair()", WAIT);
    log.info("selected candidate pair {}", pair);
    Set<String> own = ownAddresses();
    assertTrue(own.contains(literal(pair.get("local").get("address"))), "Firefox's side " + pair + ", own " + own);
    assertTrue(own.contains(literal(pair.get("remote").get("address"))), "the gateway's side " + pair + ", own " + own);
  }

  @Test
  void embedPlaysInAnIframeOfAnotherOrigin() {
    firefox.navigate("http://127.0.0.1:" + site.getAddress().getPort() + "/iframe.html");
    Firefox.Document embed = firefox.frame("#player");
    embed.awaitState("playing", WAIT);

    assertEquals("http://localhost:" + gateway.port(), embed.evaluate("location.origin"));
    assertNotEquals(embed.evaluate("location.origin"), firefox.page().evaluate("location.origin"));
    Browser.Playback playback = embed.measurePlayback(3);
    log.info("{}: /embed in an iframe rendered {} frames in {} s = {} fps at {}x{}", firefox.version(),
        playback.presented(), playback.seconds(), String.format("%.1f", playback.fps()), playback.width(),
        playback.height());
    assertEquals(640, playback.width());
    assertEquals(360, playback.height());
    assertTrue(playback.fps() >= 25, "rendered " + playback.fps() + " fps, expected at least 25");
    assertFramesAdvanceInOrder(playback.frameNumbers());
    assertEquals(1, gateway.sessions().count());
  }

  @Test
  void viewerPagePlaysOverWhep() {
    firefox.navigate(gatewayUrl("/view/pattern?signaling=whep"));
    firefox.awaitState("playing", WAIT);

    @SuppressWarnings("unchecked")
    Map<String, Object> stats = (Map<String, Object>) firefox.script("return window.player.stats()");
    List<String> ids = gateway.sessions().all().stream().map(Session::id).toList();
    assertEquals(List.of(String.valueOf(stats.get("session"))), ids, "the player's WHEP session is the gateway's");
    Object whepRequests = firefox.script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/whep/pattern'))");
    assertTrue(whepRequests instanceof List<?> list && !list.isEmpty(), "the player signalled over WHEP: " + whepRequests);
    Browser.Playback playback = firefox.measurePlayback(3);
    log.info("{}: /view over WHEP rendered {} frames in {} s = {} fps at {}x{}", firefox.version(),
        playback.presented(), playback.seconds(), String.format("%.1f", playback.fps()), playback.width(),
        playback.height());
    assertEquals(640, playback.width());
    assertEquals(360, playback.height());
    assertTrue(playback.fps() >= 25, "rendered " + playback.fps() + " fps, expected at least 25");
    assertFramesAdvanceInOrder(playback.frameNumbers());
  }

  /**
   * Each rendered frame's stamp number follows the one before (modulo 65536) by less than 100,
   * and nearly every frame shows a new number: the picture moves, in order.
   */
  private static void assertFramesAdvanceInOrder(List<Integer> numbers) {
    assertTrue(numbers.size() >= 30, "only " + numbers.size() + " frames read");
    assertTrue(numbers.stream().allMatch(n -> n >= 0), "a frame without a size: " + numbers);
    int advanced = 0;
    for (int i = 1; i < numbers.size(); i++) {
      int step = (numbers.get(i) - numbers.get(i - 1)) & 0xFFFF;
      assertTrue(step < 100, "stamp frame numbers must advance in order: " + numbers.get(i - 1) + " then "
          + numbers.get(i) + " in " + numbers);
      if (step > 0) {
        advanced++;
      }
    }
    assertTrue(advanced >= 0.9 * numbers.size() - 1,
        "frame numbers advanced on only " + advanced + " of " + numbers.size() + " frames: " + numbers);
  }

  /** Every address of this machine's interfaces, as {@link #literal} writes them. */
  private static Set<String> ownAddresses() throws SocketException {
    return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
        .map(address -> Arrays.toString(address.getAddress())).collect(Collectors.toSet());
  }

  /** An IP literal's bytes (IP literals are parsed, never looked up). */
  private static String literal(Object address) throws UnknownHostException {
    return Arrays.toString(InetAddress.getByName(String.valueOf(address)).getAddress());
  }

  private static String gatewayUrl(String path) {
    return "http://127.0.0.1:" + gateway.port() + path;
  }
}
