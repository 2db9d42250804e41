package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.file.FrameRecorder.Change;
import io.webrtcgw.source.file.FrameRecorder.Seen;
import io.webrtcgw.source.file.TestClips.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileSourcePlaybackTest {
  private static final FileSource.Options ONCE = FileSource.Options.DEFAULT.withLoop(false);

  @TempDir static Path clips;

  static Stream<Spec> profiles() {
    return Stream.of(
        new Spec("baseline", 0, 854, 480, "25", 2.4),
        new Spec("main", 3, 854, 480, "30000/1001", 2.4),
        new Spec("high", 3, 854, 480, "60", 2.0),
        new Spec("high", 0, 854, 480, "30", 2.0),
        new Spec("baseline", 0, 1920, 1080, "25", 1.0),
        new Spec("main", 3, 1920, 1080, "30", 1.2),
        new Spec("high", 3, 1920, 1080, "60", 1.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void playsEveryFrameInPresentationOrderAtTheFileRate(Spec spec) throws Exception {
    Path clip = TestClips.h264(clips, spec);
    try (FileSource source = FileSource.open("play", clip, ONCE, Clock.systemUTC())) {
      VideoFormat format = source.format();
      assertEquals(spec.width(), format.width());
      assertEquals(spec.height(), format.height());
      assertEquals(spec.fps(), format.fps(), 0.001);

      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      Change end = recorder.awaitEnd(Duration.ofSeconds(10 + 2 * spec.frames() / 10));
      assertEquals(SourceState.ENDED, end.state(), "ended with " + end.error());
      assertEquals(SourceState.ENDED, source.state());
      assertNull(source.lastError());

      List<Seen> frames = recorder.frames();
      assertEquals(spec.frames(), frames.size(), "every frame once");
      for (int i = 0; i < frames.size(); i++) {
        Seen seen = frames.get(i);
        assertEquals(i, seen.number(), "frame " + i + " out of presentation order");
        assertEquals(spec.width(), seen.width());
        assertEquals(spec.height(), seen.height());
        if (i > 0) {
          assertTrue(seen.captureMicros() > frames.get(i - 1).captureMicros(), "capture times must increase");
        }
      }
      if (spec.height() <= 480) {
        // JCodec keeps up with these sizes in real time, so arrivals must follow the file's rate.
        assertPacedAt(spec.fps(), frames.subList(frames.size() / 3, frames.size()));
        assertEquals(1e6 / spec.fps(), medianCaptureStep(frames), 1000, "capture times follow the PTS");
      }
    }
  }

  @Test
  void loopsSeamlesslyAddingTheFileDurationEachTime() throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 1.0);
    Path clip = TestClips.h264(clips, spec);
    try (FileSource source = FileSource.open("loop", clip, FileSource.Options.DEFAULT, Clock.systemUTC())) {
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      List<Seen> frames = recorder.awaitFrames(75, Duration.ofSeconds(10));
      for (int i = 0; i < frames.size(); i++) {
        assertEquals(i % 30, frames.get(i).number(), "frame " + i + " in the loop");
      }
      double period = 1e6 / 30;
      for (int i = 30; i < frames.size(); i += 30) {
        long step = frames.get(i).captureMicros() - frames.get(i - 1).captureMicros();
        assertEquals(period, step, 1000, "the wrap at frame " + i + " is one frame period long");
      }
      assertEquals(period, medianCaptureStep(frames), 1000);
      assertPacedAt(30, frames.subList(15, frames.size()));
      assertEquals(SourceState.RUNNING, source.state());
      assertTrue(recorder.changes().stream().allMatch(c -> c.state() == SourceState.RUNNING));
    }
  }

  @Test
  void restartsAfterStopFromTheBeginningAndLeavesNoThreadBehind() throws Exception {
    Path clip = TestClips.h264(clips, new Spec("main", 3, 320, 240, "30", 1.0));
    FileSource source = FileSource.open("restart", clip, FileSource.Options.DEFAULT, Clock.systemUTC());
    FrameRecorder first = new FrameRecorder(false);
    source.start(first, first);
    first.awaitFrames(10, Duration.ofSeconds(10));
    source.start(first, first);
    Thread thread = sourceThread("restart").orElseThrow();
    source.stop();
    assertFalse(thread.isAlive(), "stop() joins the decoding thread");
    assertEquals(SourceState.IDLE, source.state());
    int afterStop = first.count();

    FrameRecorder second = new FrameRecorder(false);
    source.start(second, second);
    List<Seen> frames = second.awaitFrames(10, Duration.ofSeconds(10));
    assertEquals(0, frames.get(0).number(), "a restart plays from the start");
    assertEquals(afterStop, first.count(), "the stopped run emits nothing more");
    Thread restarted = sourceThread("restart").orElseThrow();
    source.close();
    assertFalse(restarted.isAlive());
    assertTrue(sourceThread("restart").isEmpty());
  }

  @ParameterizedTest(name = "rotate={0}")
  @ValueSource(ints = {0, 90, 180, 270})
  void matchesFfmpegPixelForPixelAfterCropAndRotation(int rotate) throws Exception {
    // 854 is not a multiple of 16: the coded picture is 864 wide and must be cropped.
    Path plain = TestClips.h264(clips, new Spec("high", 3, 854, 480, "30", 0.5));
    Path clip = plain;
    if (rotate != 0) {
      clip = clips.resolve("rotated-" + rotate + ".mp4");
      TestClips.ffmpeg("-i", plain.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=" + rotate, clip.toString());
    }
    byte[] expected = TestClips.ffmpegFirstFrame(clip, clips);
    try (FileSource source = FileSource.open("rotate", clip, ONCE, Clock.systemUTC())) {
      boolean sideways = rotate % 180 != 0;
      assertEquals(new VideoFormat(sideways ? 480 : 854, sideways ? 854 : 480, 30), source.format());
      FrameRecorder recorder = new FrameRecorder(true);
      source.start(recorder, recorder);
      I420Frame frame = recorder.awaitFrames(1, Duration.ofSeconds(10)).get(0).frame();
      assertEquals(source.format().width(), frame.width());
      assertEquals(source.format().height(), frame.height());
      byte[] actual = new byte[expected.length];
      int luma = frame.width() * frame.height();
      int chroma = frame.chromaWidth() * frame.chromaHeight();
      assertEquals(expected.length, luma + 2 * chroma);
      System.arraycopy(frame.y(), 0, actual, 0, luma);
      System.arraycopy(frame.u(), 0, actual, luma, chroma);
      System.arraycopy(frame.v(), 0, actual, luma + chroma, chroma);
      assertArrayEquals(expected, actual, "JCodec's picture differs from ffmpeg's");
    }
  }

  @Test
  void playsTheCheckedInDemoClip() throws Exception {
    Path demo = Path.of(System.getProperty("gateway.projectRoot", ".."), "samples", "demo.mp4");
    assertTrue(Files.isRegularFile(demo), "samples/demo.mp4 is checked in");
    ClipInfo info = Mp4Probe.probe(demo);
    assertEquals(12, info.durationSeconds(), 0.5);
    try (FileSource source = FileSource.open("demo", demo, FileSource.Options.DEFAULT, Clock.systemUTC())) {
      assertEquals(new VideoFormat(640, 360, 30), source.format());
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      recorder.awaitFrames(30, Duration.ofSeconds(10));
      assertEquals(SourceState.RUNNING, source.state());
    }
  }

  /** Checks that frames arrived at {@code fps} (within 12%, for a busy machine) over their span. */
  private static void assertPacedAt(double fps, List<Seen> frames) {
    double seconds = (frames.get(frames.size() - 1).arrivalNanos() - frames.get(0).arrivalNanos()) / 1e9;
    double measured = (frames.size() - 1) / seconds;
    assertEquals(fps, measured, fps * 0.12, "frames per second of wall-clock time");
  }

  private static double medianCaptureStep(List<Seen> frames) {
    List<Long> steps = new ArrayList<>();
    for (int i = 1; i < frames.size(); i++) {
      steps.add(frames.get(i).captureMicros() - frames.get(i - 1).captureMicros());
    }
    Collections.sort(steps);
    return steps.get(steps.size() / 2);
  }

  static Optional<Thread> sourceThread(String stream) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("file-" + stream) && t.isAlive())
        .findFirst();
  }
}
