package io.webrtcgw.bench;

import io.webrtcgw.testing.Browser;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What headless Chromium sees of the gateway's viewer page: time to first frame and latency. */
final class BrowserProbe implements AutoCloseable {
  /**
   * Reads the pattern stamp off every rendered frame for a while (requestVideoFrameCallback and a
   * one-row canvas read of the stamp band) and returns, per frame, the time from the stamp's
   * capture time to the callback, on the same machine's wall clock.
   */
  static final String LATENCY = String.join("\n",
      "const [seconds, done] = arguments;",
      Browser.STAMP_READER,
      "const latencies = []; let unreadable = 0; let first = null; let lastFrame = null; let skipped = 0;",
      "function onFrame(now, meta) {",
      "  const wall = Date.now();",
      "  if (first === null) first = { now, presented: meta.presentedFrames };",
      "  const stamp = readStamp();",
      "  const latency = wall - stamp.time;",
      "  if (latency >= 0 && latency < 10000) {",
      "    latencies.push(latency);",
      "    if (lastFrame !== null) skipped += Math.max(0, ((stamp.frame - lastFrame) & 0xFFFF) - 1);",
      "    lastFrame = stamp.frame;",
      "  } else { unreadable++; }",
      "  if (now - first.now < seconds * 1000) { video.requestVideoFrameCallback(onFrame); return; }",
      "  done({ latencies, unreadable, skipped, width: video.videoWidth, height: video.videoHeight,",
      "         elapsedMs: now - first.now, presented: meta.presentedFrames - first.presented });",
      "}",
      "video.requestVideoFrameCallback(onFrame);");


  private final Browser browser;

  BrowserProbe() throws IOException {
    this.browser = new Browser();
    browser.driver().manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
  }

  /** Whether Debian's chromium and chromedriver are installed. */
  static boolean available() {
    return Files.isExecutable(Browser.CHROMIUM) && Files.isExecutable(Browser.CHROMEDRIVER);
  }

  /**
   * Opens the viewer page {@code loads} times, each from a blank page with no session left on the
   * gateway, and returns each load's navigation-to-first-rendered-frame time (the player's {@code
   * firstFrameMs}, performance.now() at the first frame callback).
   */
  List<Double> timeToFirstFrame(int port, String stream, int loads) throws Exception {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < loads; i++) {
      GatewayProcess.awaitSessions(port, 0, Duration.ofSeconds(20));
      browser.driver().get("http://127.0.0.1:" + port + "/view/" + stream);
      browser.awaitState("playing", Duration.ofSeconds(20));
      out.add(((Number) browser.script("return window.player.stats().firstFrameMs")).doubleValue());
      browser.driver().get("about:blank");
    }
    GatewayProcess.awaitSessions(port, 0, Duration.ofSeconds(20));
    return out;
  }

  /** Plays the stream and reads latency off rendered frames for {@code seconds}. */
  @SuppressWarnings("unchecked")
  Map<String, Object> latency(int port, String stream, int seconds) {
    browser.driver().get("http://127.0.0.1:" + port + "/view/" + stream);
    browser.awaitState("playing", Duration.ofSeconds(20));
    Map<String, Object> result = (Map<String, Object>) browser.asyncScript(LATENCY, seconds);
    browser.driver().get("about:blank");
    return result;
  }

  /**
   * Opens the viewer page and stays on it (until {@link #leave}), logging the wall time of each
   * rendered frame so that {@link #firstFrameAfter} can tell when the picture came back.
   */
  void watch(int port, String stream) {
    browser.driver().get("http://127.0.0.1:" + port + "/view/" + stream);
    browser.awaitState("playing", Duration.ofSeconds(30));
    browser.script(String.join("\n",
        "const video = document.querySelector('video');",
        "window.frameLog = [];",
        "function onFrame() {",
        "  window.frameLog.push(Date.now());",
        "  if (window.frameLog.length > 4000) window.frameLog.splice(0, 2000);",
        "  video.requestVideoFrameCallback(onFrame);",
        "}",
        "video.requestVideoFrameCallback(onFrame);"));
  }

  /** Frames the open page has rendered so far (the player's count). */
  long framesRendered() {
    Object frames = browser.script("return window.player.stats().framesRendered");
    return frames == null ? 0 : ((Number) frames).longValue();
  }

  /** The wall time (Date.now()) of the first frame rendered at or after {@code wallMillis}, or -1. */
  long firstFrameAfter(long wallMillis) {
    Object at = browser.script("return window.frameLog.find(t => t >= arguments[0]) ?? -1", wallMillis);
    return ((Number) at).longValue();
  }

  void leave() {
    browser.driver().get("about:blank");
  }

  String version() {
    Object version = browser.driver().getCapabilities().getCapability("browserVersion");
    return version == null ? "unknown" : version.toString();
  }

  @Override
  public void close() throws IOException {
    browser.close();
  }
}
