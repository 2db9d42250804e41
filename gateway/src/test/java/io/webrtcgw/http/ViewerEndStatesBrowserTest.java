package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.TestGateway;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream that has ended (a file played once) or failed (a file that cannot be played) puts the
 * viewer in a terminal state that says why, over the WebSocket and over WHEP; it never makes the
 * viewer reconnect forever.
 */
class ViewerEndStatesBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private static Gateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    Path once = TestClips.h264(dir, new TestClips.Spec("baseline", 0, 320, 180, "30", 2));
    Path finished = TestClips.h264(dir, new TestClips.Spec("baseline", 0, 320, 176, "30", 1));
    Path broken = noiseForFrames(TestClips.h264(dir, new TestClips.Spec("baseline", 0, 320, 184, "30", 4)));
    gateway = TestGateway.start(
        StreamConfig.fromJson("once", "file:" + once, false, 0, null, false, null, null, null, null, null, null),
        StreamConfig.fromJson("finished", "file:" + finished, true, 0, null, false, null, null, null, null, null, null),
        StreamConfig.of("broken", "file:" + broken));
    browser = new Browser();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /**
   * Overwrites every frame of the clip with noise behind a valid index, so that not one frame can
   * be decoded. (A file whose damage starts later plays and loops its good part, by design.)
   */
  private static Path noiseForFrames(Path source) throws Exception {
    Path clip = dir.resolve("broken.mp4");
    // The index first (faststart), so that the noise at the end hits frames only.
    TestClips.ffmpeg("-i", source.toString(), "-c", "copy", "-movflags", "+faststart", clip.toString());
    byte[] bytes = Files.readAllBytes(clip);
    int mdat = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("mdat");
    try (RandomAccessFile file = new RandomAccessFile(clip.toFile(), "rw")) {
      long from = mdat + 4;
      byte[] noise = new byte[(int) (file.length() - from)];
      new Random(11).nextBytes(noise);
      file.seek(from);
      file.write(noise);
    }
    return clip;
  }

  private String view(String stream, String query) {
    return "http://127.0.0.1:" + gateway.port() + "/view/" + stream + query;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> stats() {
    return (Map<String, Object>) browser.script("return window.player.stats()");
  }

  private String errorText() {
    return String.valueOf(browser.script("return document.getElementById('error').textContent"));
  }

  @Test
  void aFilePlayedOnceEndsTheViewerForGood() {
    browser.driver().get(view("once", ""));
    browser.awaitState("playing", WAIT);
    browser.awaitState("ended", WAIT);
    assertTrue(errorText().contains("has ended"), errorText());
    Await.until("the viewer's session is over", () -> gateway.sessions().count() == 0, WAIT);
    long attempts = ((Number) stats().get("attempts")).longValue();
    assertEquals(1, attempts, "no reconnect after the end");
    assertEquals("ended", browser.script("return window.player.state"));
  }

  @Test
  void aStreamThatHasEndedEndsANewViewerAtOnceOverBothProtocols() {
    Await.until("the always-on file has played to its end",
        () -> gateway.streams().find("finished").orElseThrow().source().state() == SourceState.ENDED, WAIT);
    browser.driver().get(view("finished", ""));
    browser.awaitState("ended", WAIT);
    assertEquals(1L, ((Number) stats().get("attempts")).longValue());
    browser.driver().get(view("finished", "?signaling=whep"));
    browser.awaitState("ended", WAIT);
    assertTrue(errorText().contains("has ended"), errorText());
    assertEquals(1L, ((Number) stats().get("attempts")).longValue(), "the WHEP player does not retry a 410 either");
  }

  @Test
  void aFileThatCannotBePlayedFailsTheViewerWithTheReason() {
    browser.driver().get(view("broken", ""));
    browser.awaitState("failed", WAIT);
    assertTrue(errorText().contains("cannot be played") && errorText().contains("damaged"), errorText());
    Await.until("the viewer's session is over", () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(1L, ((Number) stats().get("attempts")).longValue(), "no reconnect after the failure");
  }
}
