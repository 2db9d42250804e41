package io.webrtcgw.bench;

import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What headless Chromium sees of the gateway's viewer page: time to first frame and latency. */
final class BrowserProbe implements AutoCloseable {
  /**
   * Reads the pattern stamp off every rendered frame for a while (requestVideoFrameCallback and a
   * one-row canvas read of the stamp band) and returns, per frame, the time from the stamp's
   * capture time to the callback, on the same machine's wall clock.
   */
  static final String LATENCY = String.join("\n",
      "const [seconds, done] = arguments;",
      "const video = document.querySelector('video');",
      "const canvas = document.createElement('canvas');",
      "const ctx = canvas.getContext('2d', { willReadFrequently: true });",
      "const latencies = []; let unreadable = 0; let first = null; let lastFrame = null; let skipped = 0;",
      "function readStamp() {",
      "  const w = video.videoWidth, h = video.videoHeight;",
      "  const band = Math.max(1, Math.floor(h / 16));",
      "  if (canvas.width !== w) { canvas.width = w; canvas.height = 1; }",
      "  ctx.drawImage(video, 0, Math.floor(band / 2), w, 1, 0, 0, w, 1);",
      "  const px = ctx.getImageData(0, 0, w, 1).data;",
      "  let word = 0n;",
      "  for (let cell = 0; cell < 64; cell++) {",
      "    const x0 = Math.floor(cell * w / 64), x1 = Math.floor((cell + 1) * w / 64);",
      "    const x = Math.floor((x0 + x1) / 2);",
      "    const lum = 0.299 * px[x * 4] + 0.587 * px[x * 4 + 1] + 0.114 * px[x * 4 + 2];",
      "    word = (word << 1n) | (lum >= 128 ? 1n : 0n);",
      "  }",
      "  return { frame: Number(word & 0xFFFFn), time: Number(word >> 16n) };",
      "}",
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

  private static final Pattern SESSIONS = Pattern.compile("\"sessions\"\\s*:\\s*(\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
      awaitNoSessions(port, Duration.ofSeconds(20));
      browser.driver().get("http://127.0.0.1:" + port + "/view/" + stream);
      browser.awaitState("playing", Duration.ofSeconds(20));
      out.add(((Number) browser.script("return window.player.stats().firstFrameMs")).doubleValue());
      browser.driver().get("about:blank");
    }
    awaitNoSessions(port, Duration.ofSeconds(20));
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

  String version() {
    Object version = browser.driver().getCapabilities().getCapability("browserVersion");
    return version == null ? "unknown" : version.toString();
  }

  /** The gateway's session count reaching zero; /healthz has no event to wait on. */
  private static void awaitNoSessions(int port, Duration timeout) {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build();
    String[] last = {""};
    Await.until(() -> "no gateway sessions, last health " + last[0], () -> {
      try {
        last[0] = HTTP.send(health, HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      Matcher m = SESSIONS.matcher(last[0]);
      return m.find() && Integer.parseInt(m.group(1)) == 0;
    }, timeout);
  }

  @Override
  public void close() throws IOException {
    browser.close();
  }
}
