package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.rtc.Session;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway's own viewer page with {@code ?signaling=whep}: WHEP instead of the WebSocket. */
class ViewerPageWhepBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  void playsOverWhepAndDeletesTheSessionOnLeaving() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get(viewUrl());
      browser.awaitState("playing", WAIT);

      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) browser.script("return window.player.stats()");
      List<String> ids = gateway.sessions().all().stream().map(Session::id).toList();
      assertEquals(List.of(String.valueOf(stats.get("session"))), ids, "the player's session is the gateway's: " + stats);
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 3);
      @SuppressWarnings("unchecked")
      List<Long> numbers = (List<Long>) result.get("numbers");
      assertEquals(640L, result.get("width"));
      assertEquals(360L, result.get("height"));
      ViewerPageBrowserTest.assertAtLeast25Fps(result);
      assertNotEquals(numbers.get(0), numbers.get(numbers.size() - 1), "the picture must move");

      browser.driver().get("about:blank");
      Await.until(() -> "the player's DELETE to end the session, have " + gateway.sessions().count(),
          () -> gateway.sessions().count() == 0, WAIT);
    }
  }

  /**
   * The viewer reports the size it shows the video at (on the WebSocket, or on its data channel
   * over WHEP), and the gateway encodes it no larger than that: shown in a 320x180 box, a 640x360
   * stream arrives at 320x180, and at full size again once the box grows.
   */
  @ParameterizedTest(name = "signaling={0}")
  @ValueSource(strings = {"ws", "whep"})
  void aSmallVideoBoxIsEncodedSmallOverEitherProtocol(String signaling) throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/pattern?signaling=" + signaling);
      browser.awaitState("playing", WAIT);
      Await.until(() -> "full size first, have " + videoWidth(browser), () -> videoWidth(browser) == 640, WAIT);
      browser.script("const v = document.querySelector('video'); v.style.width = '320px'; v.style.height = '180px';");
      Await.until(() -> "320 wide once the box is small, have " + videoWidth(browser),
          () -> videoWidth(browser) == 320, WAIT);
      browser.script("const v = document.querySelector('video'); v.style.width = ''; v.style.height = '';");
      Await.until(() -> "640 wide once the box is large again, have " + videoWidth(browser),
          () -> videoWidth(browser) == 640, WAIT);
      browser.driver().get("about:blank");
      Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
    }
  }

  private static long videoWidth(Browser browser) {
    return ((Number) browser.script("return document.querySelector('video').videoWidth")).longValue();
  }

  @Test
  void recoversWithANewSessionWhenTheGatewayEndsIt() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get(viewUrl());
      browser.awaitState("playing", WAIT);
      Session first = gateway.sessions().all().get(0);

      first.close(EndReason.ICE_FAILED).get();

      // ICE goes quiet, the restart's PATCH finds no session (404), and a new attempt POSTs again.
      Await.until("a new session", () -> gateway.sessions().count() == 1
          && !gateway.sessions().all().get(0).id().equals(first.id()), WAIT);
      browser.awaitState("playing", WAIT);
      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) browser.script("return window.player.stats()");
      assertEquals(gateway.sessions().all().get(0).id(), stats.get("session"));
      assertTrue(((Number) stats.get("attempts")).intValue() >= 2, stats.toString());
      browser.driver().get("about:blank");
      Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
    }
  }

  @Test
  void restartsIceOverWhepKeepingItsSession() throws Exception {
    try (Browser browser = new Browser()) {
      // Keeps every peer connection the page makes reachable from the test.
      browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", String.join("\n",
          "window.peerConnections = [];",
          "const NativePeerConnection = window.RTCPeerConnection;",
          "window.RTCPeerConnection = class extends NativePeerConnection {",
          "  constructor(...args) { super(...args); window.peerConnections.push(this); }",
          "};")));
      browser.driver().get(viewUrl());
      browser.awaitState("playing", WAIT);
      String session = gateway.sessions().all().get(0).id();
      long before = selectedRemotePort(browser);

      // The player is told ICE failed (nothing on loopback ever fails by itself) and restarts it.
      browser.script(String.join("\n",
          "const pc = window.peerConnections.at(-1);",
          "Object.defineProperty(pc, 'iceConnectionState', { get: () => 'failed', configurable: true });",
          "pc.dispatchEvent(new Event('iceconnectionstatechange'));",
          "delete pc.iceConnectionState;"));

      Await.until("the browser to move to one of the gateway's new candidates (was port " + before + ")",
          () -> {
            long now = selectedRemotePort(browser);
            return now > 0 && now != before;
          }, WAIT);
      // Chrome keeps reporting `connected` through a restart; tell the player to look again.
      browser.script("window.peerConnections.at(-1).dispatchEvent(new Event('iceconnectionstatechange'));");
      browser.awaitState("playing", WAIT);
      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) browser.script("return window.player.stats()");
      assertEquals(1L, stats.get("iceRestarts"), stats.toString());
      assertEquals(1L, stats.get("attempts"), "the restart kept the attempt: " + stats);
      assertEquals(List.of(session), gateway.sessions().all().stream().map(Session::id).toList());
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 2);
      @SuppressWarnings("unchecked")
      List<Long> numbers = (List<Long>) result.get("numbers");
      ViewerPageBrowserTest.assertAtLeast25Fps(result);
      assertNotEquals(numbers.get(0), numbers.get(numbers.size() - 1), "the picture moves after the restart");
      assertEquals("playing", browser.script("return window.player.state"), "the restart deadline must not fire");
      browser.driver().get("about:blank");
      Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
    }
  }

  private static long selectedRemotePort(Browser browser) {
    Object port = browser.asyncScript(String.join("\n",
        "const done = arguments[0];",
        "window.peerConnections.at(-1).getStats().then((report) => {",
        "  for (const stat of report.values()) {",
        "    if (stat.type !== 'transport' || !stat.selectedCandidatePairId) continue;",
        "    const pair = report.get(stat.selectedCandidatePairId);",
        "    const remote = pair && report.get(pair.remoteCandidateId);",
        "    if (remote) { done(remote.port); return; }",
        "  }",
        "  done(-1);",
        "}, () => done(-1));"));
    return ((Number) port).longValue();
  }

  private static String viewUrl() {
    return "http://127.0.0.1:" + gateway.port() + "/view/pattern?signaling=whep";
  }
}
