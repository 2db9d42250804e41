package io.webrtcgw.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Chromium page on Janus' own origin (its HTTP API's {@code /janus/info}) that subscribes to
 * the VideoRoom's publisher over Janus' HTTP API ({@code src/test/resources/janus/subscriber.js}),
 * one peer connection per viewer, and logs every frame the first viewer renders with the pattern
 * stamp read off it. Also answers the test's questions to Janus (the room's publishers).
 */
public final class JanusViewers {
  /** Logs each rendered frame of the first video: when, and the frame number and capture time of its stamp. */
  private static final String FRAME_LOG = String.join("\n",
      Browser.STAMP_READER,
      "function onFrame() {",
      "  const stamp = readStamp();",
      "  window.frameLog.push({ at: Date.now(), frame: stamp.frame, time: stamp.time, w: video.videoWidth });",
      "  if (window.frameLog.length > 6000) window.frameLog.splice(0, 3000);",
      "  video.requestVideoFrameCallback(onFrame);",
      "}",
      "video.requestVideoFrameCallback(onFrame);");

  private final Browser browser;
  private final String page;

  /** {@code janusAddress}: where the browser reaches Janus' HTTP API. */
  public JanusViewers(Browser browser, String janusAddress) {
    this.browser = browser;
    this.page = "http://" + janusAddress + ":" + Janus.HTTP_PORT + "/janus/info";
  }

  /** Loads the page afresh: no subscription, an empty frame log. */
  public void open() throws IOException {
    browser.driver().get(page);
    try (InputStream in = JanusViewers.class.getResourceAsStream("/janus/subscriber.js")) {
      if (in == null) {
        throw new AssertionError("test resource janus/subscriber.js is missing");
      }
      browser.script(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    browser.script(FRAME_LOG);
  }

  /** Viewer {@code n} (0 is the one whose frames are logged) subscribes to the room's one publisher. */
  public void subscribe(int n) {
    Object feed;
    try {
      feed = browser.asyncScript(
          "const done = arguments[1]; window.subscribe(arguments[0]).then(done, e => done('error: ' + e));", n);
    } catch (org.openqa.selenium.ScriptTimeoutException e) {
      throw new AssertionError("viewer " + n + " subscribing got no answer; the page's last step: "
          + browser.script("return JSON.stringify(window.lastRequest);"), e);
    }
    if (!(feed instanceof Number)) {
      throw new AssertionError("viewer " + n + " subscribing: " + feed);
    }
  }

  /** The room's publishers, as VideoRoom lists them. */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> publishers() {
    Object answer = browser.asyncScript("const done = arguments[0]; window.janusApi.participants()"
        + ".then(p => done(p.filter(x => x.publisher)), e => done('error: ' + e));");
    if (!(answer instanceof List<?>)) {
      throw new AssertionError("listparticipants: " + answer);
    }
    return (List<Map<String, Object>>) answer;
  }

  public void awaitPublishers(int count, Duration timeout) {
    List<Object> last = new ArrayList<>();
    Await.until(() -> count + " publisher(s) in room " + Janus.ROOM + ", have " + last, () -> {
      last.clear();
      last.addAll(publishers());
      return last.size() == count;
    }, timeout);
  }

  /**
   * At least {@code count} frames of viewer 0 rendered at or after {@code millis} (a
   * currentTimeMillis value) with a readable stamp: {@code at}, {@code frame}, {@code time}, {@code w}.
   */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> framesAfter(long millis, int count, Duration timeout) {
    List<Map<String, Object>> frames = new ArrayList<>();
    Await.until(() -> count + " frames from Janus, have " + frames.size(), () -> {
      frames.clear();
      frames.addAll((List<Map<String, Object>>) browser.script(
          "return window.frameLog.filter(f => f.at >= arguments[0] && f.frame >= 0 && f.time > 0);", millis));
      return frames.size() >= count;
    }, timeout);
    return frames;
  }

  /** Frames rendered by each viewer's video so far (its {@code getVideoPlaybackQuality}). */
  @SuppressWarnings("unchecked")
  public List<Long> renderedFrames() {
    return ((List<Object>) browser.script("return [...document.querySelectorAll('video')]"
        + ".map(v => v.getVideoPlaybackQuality().totalVideoFrames);"))
        .stream().map(value -> ((Number) value).longValue()).toList();
  }
}
