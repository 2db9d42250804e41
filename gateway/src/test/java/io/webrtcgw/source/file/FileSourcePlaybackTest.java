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
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.source.h264.LocalDecoder;
import io.webrtcgw.source.h264.StreamDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileSourcePlaybackTest {
  private static final FileSource.Options ONCE = FileSource.Options.DEFAULT.withLoop(false);
  /** Frames may come any time late: for checking that every frame decodes right, not the clock. */
  static final FileSource.Options LOSSLESS = ONCE.withLateGrace(Duration.ofHours(1));
  /** Capture times then count from zero at the source's start. */
  private static final Clock EPOCH = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  @TempDir static Path clips;

  /**
   * Decodes a clip flat out so that the JIT has compiled JCodec before any test measures pacing: a
   * cold decoder is several times slower and makes the source run late.
   */
  private static DecoderSandbox decoders;

  @AfterAll
  static void stopDecoders() {
    decoders.close();
  }

  @BeforeAll
  static void warmUpDecoder() throws Exception {
    decoders = DecoderSandbox.start();
    ClipInfo clip = Mp4Probe.probe(TestClips.h264(clips, new Spec("high", 3, 854, 480, "60", 2.0)));
    for (int round = 0; round < 2; round++) {
      try (ClipReader reader = new ClipReader(clip, new LocalDecoder(new StreamDecoder.Spec("probe", clip.rotation(), clip.avcC().getSpsList(), clip.avcC().getPpsList(), java.time.Duration.ZERO)))) {
        ClipReader.Sample sample;
        while ((sample = reader.next()) != null) {
          reader.decode(sample);
        }
      }
    }
  }

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

  /**
   * Whatever the machine manages to decode, playback keeps the file's clock: each frame shown is
   * the one its time calls for, at that time, and every frame not shown was dropped and counted.
   * On this machine JCodec keeps up with 480p and drops some 1080p frames.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void playsInPresentationOrderOnTheFilesClockCountingWhatItDrops(Spec spec) throws Exception {
    Path clip = TestClips.h264(clips, spec);
    try (FileSource source = FileSource.open("play", clip, ONCE, EPOCH, decoders)) {
      VideoFormat format = source.format();
      assertEquals(spec.width(), format.width());
      assertEquals(spec.height(), format.height());
      assertEquals(spec.fps(), format.fps(), 0.001);

      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      Change end = recorder.awaitEnd(Duration.ofSeconds(10 + 2 * spec.frames() / 10));
      assertEquals(SourceState.ENDED, end.state(), "ended with " + end.error());
      assertEquals(SourceState.ENDED, source.state());
      assertNull(source.lastError());

      List<Seen> frames = recorder.frames();
      assertFalse(frames.isEmpty(), "no frame at all was shown");
      for (Seen seen : frames) {
        assertEquals(spec.width(), seen.width());
        assertEquals(spec.height(), seen.height());
      }
      assertOnTheFilesClock(spec.fps(), frames, started);
      assertOnSchedule(frames);
      if (source.meter().framesDropped() == 0) {
        assertPacedAt(spec.fps(), frames.subList(frames.size() / 4, frames.size()));
      }
      assertEquals(spec.frames(), frames.size() + source.meter().framesDropped(),
          "frames shown plus frames dropped (" + source.drops() + ")");
      assertEquals(source.meter().framesDropped(), source.drops().total(), "every drop has its reason");
    }
  }

  @Test
  void loopsSeamlesslyAddingTheFileDurationEachTime() throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 1.0);
    Path clip = TestClips.h264(clips, spec);
    try (FileSource source = FileSource.open("loop", clip, FileSource.Options.DEFAULT, EPOCH, decoders)) {
      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      List<Seen> frames = recorder.awaitFrames(75, Duration.ofSeconds(10));
      // Each pass adds exactly the file's duration: frame n of pass p is due at p + n/30 s.
      List<Seen> unwrapped = new java.util.ArrayList<>();
      int pass = 0;
      for (int i = 0; i < frames.size(); i++) {
        Seen seen = frames.get(i);
        if (i > 0 && seen.number() <= frames.get(i - 1).number()) {
          pass++;
        }
        unwrapped.add(new Seen(pass * 30 + seen.number(), seen.width(), seen.height(), seen.captureMicros(),
            seen.arrivalNanos(), null));
      }
      assertTrue(pass >= 2, "looped at least twice: " + pass);
      assertOnTheFilesClock(30, unwrapped, started);
      assertEquals(SourceState.RUNNING, source.state());
      assertTrue(recorder.changes().stream().allMatch(c -> c.state() == SourceState.RUNNING));
      assertOnSchedule(frames);
      if (source.meter().framesDropped() == 0) {
        assertPacedAt(30, frames.subList(15, frames.size()));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mov", "avc3", "faststart"})
  void playsOtherContainerVariants(String variant) throws Exception {
    Path plain = TestClips.h264(clips, new Spec("high", 3, 320, 240, "30", 0.5));
    Path clip = clips.resolve("variant." + (variant.equals("mov") ? "mov" : variant + ".mp4"));
    switch (variant) {
      case "mov" -> TestClips.ffmpeg("-i", plain.toString(), "-c", "copy", clip.toString());
      case "avc3" -> TestClips.ffmpeg("-i", plain.toString(), "-c", "copy", "-tag:v", "avc3", clip.toString());
      default -> TestClips.ffmpeg("-i", plain.toString(), "-c", "copy", "-movflags", "+faststart", clip.toString());
    }
    try (FileSource source = FileSource.open("variant", clip, LOSSLESS, EPOCH, decoders)) {
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      assertEquals(SourceState.ENDED, recorder.awaitEnd(Duration.ofSeconds(10)).state());
      List<Seen> frames = recorder.frames();
      assertEquals(15, frames.size());
      for (int i = 0; i < frames.size(); i++) {
        assertEquals(i, frames.get(i).number());
      }
    }
  }

  @Test
  void restartsAfterStopFromTheBeginningAndLeavesNoThreadBehind() throws Exception {
    Path clip = TestClips.h264(clips, new Spec("main", 3, 320, 240, "30", 1.0));
    FileSource source = FileSource.open("restart", clip, FileSource.Options.DEFAULT, Clock.systemUTC(), decoders);
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
    assertTrue(laneThreads("restart").isEmpty(), "the decoding lanes ended with the run: " + laneThreads("restart"));
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
    try (FileSource source = FileSource.open("rotate", clip, ONCE, Clock.systemUTC(), decoders)) {
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
    try (FileSource source = FileSource.open("demo", demo, FileSource.Options.DEFAULT, Clock.systemUTC(), decoders)) {
      assertEquals(new VideoFormat(640, 360, 30), source.format());
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      recorder.awaitFrames(30, Duration.ofSeconds(10));
      assertEquals(SourceState.RUNNING, source.state());
    }
  }

  /**
   * Checks what the playback policy guarantees: frames come in presentation order (the stamp's
   * frame numbers increase), each scheduled at exactly its file time from the first one on (never
   * moved), and each handed out at its time: never before it, and never later than a scheduling
   * hiccup of this busy machine allows.
   */
  static void assertOnTheFilesClock(double fps, List<Seen> frames, long started) {
    Seen first = frames.get(0);
    for (int i = 0; i < frames.size(); i++) {
      Seen seen = frames.get(i);
      if (i > 0) {
        assertTrue(seen.number() > frames.get(i - 1).number(),
            "frame " + seen.number() + " after " + frames.get(i - 1).number() + ": out of presentation order");
      }
      double expected = (seen.number() - first.number()) * 1e6 / fps;
      assertEquals(expected, seen.captureMicros() - first.captureMicros(), 2.0,
          "frame " + seen.number() + " is scheduled at its file time from the first frame on");
      // With the clock at the epoch, a frame's capture time is its due time after the source's start.
      long due = started + seen.captureMicros() * 1000;
      assertTrue(seen.arrivalNanos() >= due - 1_000_000, "frame " + seen.number() + " came out before its time");
      assertTrue(seen.arrivalNanos() - due < 300_000_000L, "frame " + seen.number() + " came out "
          + (seen.arrivalNanos() - due) / 1_000_000 + " ms after its time");
    }
  }

  static List<Thread> laneThreads(String stream) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("file-" + stream + "-lane-") && t.isAlive())
        .toList();
  }

  /**
   * Checks that every frame came out at its scheduled time: the capture time is the schedule (the
   * file's PTS, never moved), so the gap between a frame's arrival and its capture time may vary
   * only by the lateness the source tolerates before it drops a frame, plus scheduling noise. This
   * holds however fast the machine decodes; the wall-clock rate itself is checked where nothing
   * was dropped, and measured by the benchmark.
   */
  static void assertOnSchedule(List<Seen> frames) {
    long tolerated = FileSource.MAX_LATENESS_NANOS + Duration.ofMillis(100).toNanos();
    long first = frames.get(0).arrivalNanos() - frames.get(0).captureMicros() * 1000;
    long least = first;
    long most = first;
    for (Seen seen : frames) {
      long offset = seen.arrivalNanos() - seen.captureMicros() * 1000;
      least = Math.min(least, offset);
      most = Math.max(most, offset);
      assertTrue(most - least <= tolerated, "frame " + seen.number() + " came out " + (most - least) / 1_000_000
          + " ms off its schedule (the source tolerates " + FileSource.MAX_LATENESS_NANOS / 1_000_000
          + " ms before it drops a frame)");
    }
  }

  /** Checks that frames arrived at {@code fps} (within 12%) of wall-clock time over their span. */
  private static void assertPacedAt(double fps, List<Seen> frames) {
    double seconds = (frames.get(frames.size() - 1).arrivalNanos() - frames.get(0).arrivalNanos()) / 1e9;
    double measured = (frames.size() - 1) / seconds;
    assertEquals(fps, measured, fps * 0.12, "frames per second of wall-clock time");
  }

  static Optional<Thread> sourceThread(String stream) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("file-" + stream) && t.isAlive())
        .findFirst();
  }
}
