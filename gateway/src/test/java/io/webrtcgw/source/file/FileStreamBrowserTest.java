package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.Browser.Playback;
import io.webrtcgw.testing.TestGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files made by ffmpeg, with their frame number stamped into the picture, play in real headless
 * Chromium at the file's size, in presentation order and at the file's rate.
 *
 * <p>JCodec is a pure-Java decoder: about 30 fps of 720p Main on one core of this machine, so
 * 1080p cannot be decoded in real time here. The 1080p clip is checked for size and order; its rate
 * is what the decoder sustains, logged, not asserted.
 */
class FileStreamBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(FileStreamBrowserTest.class);
  /** The largest picture JCodec decodes in real time on this 2-core machine (see class comment). */
  private static final int REAL_TIME_PIXELS = 1280 * 720;

  static Stream<Spec> clips() {
    return Stream.of(
        new Spec("baseline", 0, 854, 480, "25", 8),
        new Spec("main", 3, 854, 480, "30000/1001", 8),
        new Spec("high", 3, 640, 360, "60", 6),
        new Spec("high", 3, 1920, 1080, "25", 4));
  }

  @TempDir
  static Path dir;
  private static Gateway gateway;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    TestClips.assumeEncoder("libx264");
    List<StreamConfig> streams = new ArrayList<>();
    for (Spec spec : clips().toList()) {
      streams.add(StreamConfig.of(name(spec), "file:" + TestClips.h264(dir, spec)));
    }
    gateway = TestGateway.start(streams.toArray(StreamConfig[]::new));
    // Wide enough for the 1080p clip, which the gateway would otherwise scale to the window.
    browser = new Browser(List.of(), List.of("--window-size=1920,1200"));
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

  private static String name(Spec spec) {
    return spec.fileName().replace(".mp4", "").replace('_', '-');
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clips")
  void playsAtItsSizeInOrderAndAtItsRate(Spec spec) {
    browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/" + name(spec));
    browser.awaitState("playing", Duration.ofSeconds(20));
    // The stream's decoder starts cold with its first viewer; JCodec reaches full speed only once
    // the JIT has compiled it, so the first two seconds are a warm-up and not measured.
    browser.measurePlayback(2);
    Playback playback = browser.measurePlayback(3);
    log.info("{}: {}x{} at {} fps rendered, {} frames", spec, playback.width(), playback.height(),
        String.format("%.1f", playback.fps()), playback.frameNumbers().size());

    assertEquals(spec.width(), playback.width(), "width of " + spec);
    assertEquals(spec.height(), playback.height(), "height of " + spec);
    List<Integer> numbers = playback.frameNumbers();
    int backwards = 0;
    for (int i = 1; i < numbers.size(); i++) {
      int previous = numbers.get(i - 1);
      int current = numbers.get(i);
      // The loop's wrap steps back by most of the clip, even when frames up to the end or after the
      // start were dropped to keep the clock; out of order would be a step back of a few frames.
      boolean loopedAround = previous - current > spec.frames() / 2;
      if (current < previous && !loopedAround) {
        backwards++;
      }
    }
    // B-frames decoded in decode order would step backwards all the time; presentation order never.
    assertEquals(0, backwards, spec + ": frames out of order: " + numbers);
    if (spec.width() * spec.height() <= REAL_TIME_PIXELS) {
      // The picture's own frame numbers must advance at the file's rate (no slow motion), whatever
      // the encoder drops on a busy machine; what is rendered must stay fluid: 80 % of the file's
      // rate, or 30 fps for files faster than the 2-core machine's encoder and browser together.
      double content = contentFps(numbers, spec.frames(), playback.seconds());
      assertEquals(spec.fps(), content, 0.1 * spec.fps(), spec + ": the picture advanced at " + content + " fps");
      assertTrue(playback.fps() >= Math.min(0.8 * spec.fps(), 30),
          spec + ": rendered " + playback.fps() + " fps, the file has " + spec.fps());
    }
  }

  /** Frames of the file per second that the rendered numbers span, across loops of {@code frames}. */
  private static double contentFps(List<Integer> numbers, int frames, double seconds) {
    long advanced = 0;
    for (int i = 1; i < numbers.size(); i++) {
      int step = numbers.get(i) - numbers.get(i - 1);
      advanced += step < 0 ? step + frames : step;
    }
    return advanced / seconds;
  }
}
