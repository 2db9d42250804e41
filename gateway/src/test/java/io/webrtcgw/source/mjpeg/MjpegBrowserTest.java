package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.Browser.Playback;
import io.webrtcgw.testing.TestGateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ffmpeg serves MJPEG over HTTP ({@code -f mpjpeg -listen 1}, its own HTTP server) from testsrc2
 * with the frame number stamped into each picture; the gateway reads it and headless Chromium
 * plays it at its size, in order and at its rate.
 */
class MjpegBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(MjpegBrowserTest.class);
  private static final int WIDTH = 640;
  private static final int HEIGHT = 360;
  private static final int FPS = 15;

  @TempDir
  static Path dir;
  private static Process ffmpeg;
  private static Gateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    TestClips.assumeFfmpeg();
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    // ffmpeg's listen mode serves exactly one client, so the gateway must hold one connection for
    // the stream however many watch; it starts when the first viewer does (until then, refused
    // connections are retried).
    ffmpeg = new ProcessBuilder(TestClips.FFMPEG.toString(), "-hide_banner", "-nostdin", "-loglevel", "error",
        "-re", "-f", "lavfi", "-i", "testsrc2=size=" + WIDTH + "x" + HEIGHT + ":rate=" + FPS,
        "-vf", TestClips.stampFilter(HEIGHT), "-q:v", "4",
        "-f", "mpjpeg", "-content_type", "multipart/x-mixed-replace;boundary=ffmpeg",
        "-listen", "1", "http://127.0.0.1:" + port + "/cam.mjpg")
        .redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile()).start();
    gateway = TestGateway.start(StreamConfig.of("cam", "http://127.0.0.1:" + port + "/cam.mjpg"));
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
    if (ffmpeg != null) {
      ffmpeg.destroy();
      if (!ffmpeg.waitFor(10, TimeUnit.SECONDS)) {
        ffmpeg.destroyForcibly();
      }
    }
  }

  @Test
  void playsFfmpegsMjpegAtItsSizeInOrderAndAtItsRate() throws Exception {
    browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/cam");
    browser.awaitState("playing", Duration.ofSeconds(30));
    browser.measurePlayback(2);
    Playback playback = browser.measurePlayback(4);
    log.info("MJPEG from ffmpeg: {}x{} at {} fps rendered, {} frames", playback.width(), playback.height(),
        String.format("%.1f", playback.fps()), playback.frameNumbers().size());

    assertEquals(WIDTH, playback.width());
    assertEquals(HEIGHT, playback.height());
    List<Integer> numbers = playback.frameNumbers();
    assertTrue(numbers.size() >= 3 * FPS, "frames read: " + numbers);
    int backwards = 0;
    for (int i = 1; i < numbers.size(); i++) {
      if (numbers.get(i) < numbers.get(i - 1)) {
        backwards++;
      }
    }
    assertEquals(0, backwards, "frames out of order: " + numbers);
    assertTrue(numbers.get(numbers.size() - 1) - numbers.get(0) >= 3 * FPS,
        "the stamped numbers advance with ffmpeg's clock: " + numbers);
    assertTrue(playback.fps() >= 0.8 * FPS, "rendered " + playback.fps() + " fps, ffmpeg sends " + FPS);

    JsonNode stream = new ObjectMapper().readTree(HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/streams")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get(0);
    assertEquals("running", stream.path("state").asText(), stream.toString());
    assertEquals("mjpeg", stream.path("kind").asText());
    assertEquals("mjpeg", stream.path("codec").asText());
    assertEquals(WIDTH, stream.path("width").asInt());
    double measured = stream.path("measuredFps").asDouble();
    assertTrue(measured >= 0.8 * FPS && measured <= 1.2 * FPS, "measured " + measured + " fps: " + stream);
    assertTrue(stream.path("bitrateIn").asLong() > 100_000, stream.toString());
  }
}
