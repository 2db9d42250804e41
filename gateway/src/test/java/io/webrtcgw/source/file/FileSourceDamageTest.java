package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.FrameRecorder.Change;
import io.webrtcgw.source.file.FrameRecorder.Seen;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.jcodec.common.model.Picture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Files that cannot be played must say why, quickly, and must never hang or spin. */
class FileSourceDamageTest {
  private static final Logger log = LoggerFactory.getLogger(FileSourceDamageTest.class);
  private static final Duration BOUND = Duration.ofSeconds(15);
  private static final FileSource.Options ONCE = FileSource.Options.DEFAULT.withLoop(false);
  private static final FileSource.Options LOSSLESS = FileSourcePlaybackTest.LOSSLESS;

  /**
   * A 12-frame 160x120 Main-profile clip (ffmpeg, libx264) whose fourth frame had 7 bytes of its
   * slice data overwritten at file offset 5431: JCodec 0.2.5 loops forever on it in CABAC's
   * mb_qp_delta reader, which never checks for interruption (see resources/h264/README.md).
   */
  private static final Path SPINS = Path.of(System.getProperty("gateway.projectRoot", ".."),
      "gateway/src/test/resources/h264/jcodec-spins.mp4");

  @TempDir static Path dir;
  private static DecoderSandbox decoders;

  @BeforeAll
  static void startDecoders() {
    decoders = DecoderSandbox.start();
  }

  @AfterAll
  static void stopDecoders() {
    decoders.close();
  }

  @Test
  void missingFile() {
    assertRejected(dir.resolve("nowhere.mp4"), "does not exist");
  }

  @Test
  void directory() throws IOException {
    assertRejected(Files.createDirectories(dir.resolve("folder.mp4")), "is a directory");
  }

  @Test
  void emptyFile() throws IOException {
    assertRejected(Files.write(dir.resolve("empty.mp4"), new byte[0]), "is empty");
  }

  @Test
  void randomBytes() throws IOException {
    byte[] noise = new byte[200_000];
    new Random(42).nextBytes(noise);
    noise[0] = 0x12;
    assertRejected(Files.write(dir.resolve("noise.mp4"), noise), "is not an MP4/MOV file");
  }

  @Test
  void pngRenamedToMp4() throws IOException {
    Path png = dir.resolve("picture.mp4");
    ImageIO.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
    assertRejected(png, "PNG image");
  }

  @Test
  void matroskaRenamedToMp4() {
    Path mkv = dir.resolve("matroska.mkv");
    TestClips.assumeEncoder("libx264");
    TestClips.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "10", "-c:v", "libx264", mkv.toString());
    assertRejected(renamed(mkv, "matroska.mp4"), "Matroska");
  }

  @Test
  void transportStreamRenamedToMp4() {
    Path ts = dir.resolve("stream.ts");
    TestClips.assumeEncoder("libx264");
    TestClips.ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "10", "-c:v", "libx264", ts.toString());
    assertRejected(renamed(ts, "stream.mp4"), "transport stream");
  }

  @Test
  void audioOnly() {
    Path audio = dir.resolve("audio.mp4");
    TestClips.assumeEncoder("aac");
    TestClips.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", audio.toString());
    assertRejected(audio, "has no video track", "audio");
  }

  @Test
  void hevc() {
    assertRejected(otherCodec("hevc.mp4", "libx265", "-x265-params", "log-level=error"), "H.265/HEVC");
  }

  @Test
  void av1() {
    assertRejected(otherCodec("av1.mp4", "libsvtav1"), "AV1");
  }

  @Test
  void mpeg4Part2() {
    assertRejected(otherCodec("mpeg4.mp4", "mpeg4"), "MPEG-4 Part 2");
  }

  @Test
  void vp9() {
    assertRejected(otherCodec("vp9.mp4", "libvpx-vp9"), "VP9");
  }

  @Test
  void high10Profile() {
    assertRejected(otherCodec("high10.mp4", "libx264", "-pix_fmt", "yuv420p10le"), "High 10");
  }

  @Test
  void interlaced() {
    assertRejected(otherCodec("interlaced.mp4", "libx264", "-flags", "+ildct+ilme"), "interlaced");
  }

  @Test
  void truncatedInTheMiddleOfTheMediaData() throws IOException {
    Path whole = clip("faststart.mp4", "-movflags", "+faststart");
    Path cut = cut(whole, "truncated.mp4", Files.size(whole) / 2);
    assertRejected(cut, "is truncated", "lie beyond the end");
  }

  @Test
  void truncatedInsideTheIndex() throws IOException {
    Path whole = clip("faststart-2.mp4", "-movflags", "+faststart");
    Path cut = cut(whole, "truncated-index.mp4", offsetOf(whole, "moov") + 100);
    assertRejected(cut, "is truncated", "index (moov box)");
  }

  @Test
  void recordingCutOffBeforeItsIndexWasWritten() throws IOException {
    Path whole = clip("moov-at-end.mp4");
    Path cut = cut(whole, "cut-recording.mp4", Files.size(whole) * 2 / 3);
    assertRejected(cut, "no index (no moov box)", "cut off");
  }

  @Test
  void indexMissing() throws IOException {
    Path whole = clip("moov-at-end-2.mp4");
    Path cut = cut(whole, "no-moov.mp4", offsetOf(whole, "moov"));
    assertRejected(cut, "has no index (no moov box)");
  }

  @Test
  void fragmented() {
    assertRejected(clip("fragmented.mp4", "-movflags", "frag_keyframe+empty_moov"), "fragmented MP4");
  }

  @Test
  void garbageFramesBehindAValidIndexEndInFailed() throws Exception {
    Path clip = clip("to-corrupt.mp4", "-movflags", "+faststart");
    long mdat = offsetOf(clip, "mdat");
    try (RandomAccessFile file = new RandomAccessFile(clip.toFile(), "rw")) {
      byte[] noise = new byte[(int) (file.length() - mdat - 8)];
      new Random(7).nextBytes(noise);
      file.seek(mdat + 8);
      file.write(noise);
    }
    assertTimeoutPreemptively(BOUND, () -> {
      FileSource source = FileSource.open("garbage", clip, FileSource.Options.DEFAULT, Clock.systemUTC(), decoders);
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      Thread thread = FileSourcePlaybackTest.sourceThread("garbage").orElse(null);
      Change end = recorder.awaitEnd(Duration.ofSeconds(10));
      assertEquals(SourceState.FAILED, end.state());
      assertTrue(end.error().contains("is damaged"), end.error());
      assertTrue(end.error().contains(clip.toString()), end.error());
      assertEquals(end.error(), source.lastError());
      assertEquals(SourceState.FAILED, source.state());
      if (thread != null) {
        thread.join(5000);
        assertFalse(thread.isAlive(), "the decoding thread ends after failing");
      }
      source.close();
      assertEquals(SourceState.FAILED, source.state(), "the failure stays visible after stop");
    });
  }

  @Test
  void damageInTheMiddleSkipsToTheNextKeyFrame() throws Exception {
    Path clip = dir.resolve("damaged-middle.mp4");
    TestClips.assumeEncoder("libx264");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "60",
        "-vf", TestClips.stampFilter(240), "-c:v", "libx264", "-g", "15", "-bf", "0", clip.toString());
    SampleTable samples = Mp4Probe.probe(clip).samples();
    try (RandomAccessFile file = new RandomAccessFile(clip.toFile(), "rw")) {
      for (int i = 20; i < 23; i++) {
        byte[] noise = new byte[samples.size(i)];
        new Random(i).nextBytes(noise);
        file.seek(samples.offset(i));
        file.write(noise);
      }
    }
    assertTimeoutPreemptively(BOUND, () -> {
      try (FileSource source = FileSource.open("middle", clip, LOSSLESS, Clock.systemUTC(), decoders)) {
        FrameRecorder recorder = new FrameRecorder(false);
        source.start(recorder, recorder);
        Change end = recorder.awaitEnd(Duration.ofSeconds(10));
        assertEquals(SourceState.ENDED, end.state(), "ended with " + end.error());
        List<Seen> frames = recorder.frames();
        for (int i = 1; i < frames.size(); i++) {
          assertTrue(frames.get(i).number() > frames.get(i - 1).number(), "order kept across the gap");
        }
        assertTrue(frames.stream().noneMatch(f -> f.number() >= 20 && f.number() < 30),
            "nothing of the damaged GOP after the damage is shown: " + frames);
        assertEquals(60, frames.size() + source.meter().framesDropped(), "every frame shown or counted dropped");
        assertTrue(source.drops().damaged() >= 10, "the damaged GOP's rest is counted: " + source.drops());
        assertTrue(frames.stream().anyMatch(f -> f.number() >= 30), "playback resumed at the next key frame");
      }
    });
  }

  @Test
  void randomDamageToTheIndexIsReportedOrPlayedButNeverHangs() throws Exception {
    Path clip = fuzzClip("fuzz-index-source.mp4");
    byte[] original = Files.readAllBytes(clip);
    int indexEnd = (int) offsetOf(clip, "mdat");
    Random random = new Random(2024);
    Map<String, Integer> outcomes = new TreeMap<>();
    assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
      for (int i = 0; i < 120; i++) {
        byte[] bytes = original.clone();
        for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
          bytes[random.nextInt(indexEnd)] = (byte) random.nextInt(256);
        }
        Path damaged = Files.write(dir.resolve("fuzz-index.mp4"), bytes);
        outcomes.merge(playBriefly(damaged, "fuzz-index"), 1, Integer::sum);
      }
    });
    log.info("damaged indexes: {}", outcomes);
  }

  @Test
  void randomDamageToTheFramesEndsPlaybackInTime() throws Exception {
    Path clip = fuzzClip("fuzz-frames-source.mp4");
    byte[] original = Files.readAllBytes(clip);
    int framesStart = (int) offsetOf(clip, "mdat") + 8;
    Random random = new Random(4711);
    Map<String, Integer> outcomes = new TreeMap<>();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 60; i++) {
        byte[] bytes = original.clone();
        for (int flips = 1 + random.nextInt(40); flips > 0; flips--) {
          bytes[framesStart + random.nextInt(bytes.length - framesStart)] = (byte) random.nextInt(256);
        }
        Path damaged = Files.write(dir.resolve("fuzz-frames.mp4"), bytes);
        String outcome = playBriefly(damaged, "fuzz-frames");
        assertTrue(outcome.startsWith("ended") || outcome.startsWith("failed"), "damaged frames gave: " + outcome);
        outcomes.merge(outcome, 1, Integer::sum);
      }
    });
    log.info("damaged frames: {}", outcomes);
  }

  /**
   * JCodec never returns from one frame of this file. Its decoder process is ended at the frame's
   * budget, on any Java, and the file fails with the reason; nothing keeps a core busy after.
   */
  @Test
  void aFrameJCodecNeverFinishesFailsTheFileAndEndsItsDecoder() throws Exception {
    FileSource.Options options = LOSSLESS.withFrameBudget(Duration.ofMillis(1500));
    assertTimeoutPreemptively(BOUND, () -> {
      FileSource source = FileSource.open("spin", SPINS, options, Clock.systemUTC(), decoders);
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      Thread thread = FileSourcePlaybackTest.sourceThread("spin").orElseThrow();
      Change end = recorder.awaitEnd(Duration.ofSeconds(10));
      assertEquals(SourceState.FAILED, end.state());
      assertTrue(end.error().contains("decoding frame 3 took longer than 1500 ms"), end.error());
      assertEquals(3, recorder.frames().size(), "the frames before the damage played");
      thread.join(5000);
      assertFalse(thread.isAlive(), "the playing thread ends");
      Await.until(() -> "only the spare decoder process is left, have " + decoders.processes(),
          () -> decoders.processes() == 1, Duration.ofSeconds(5));
      source.close();
    });
  }

  /** Stopping while JCodec spins returns at once: the wait for the frame ends, its process with it. */
  @Test
  void stoppingWhileJCodecSpinsReturnsAtOnce() throws Exception {
    FileSource.Options options = LOSSLESS.withFrameBudget(Duration.ofSeconds(10));
    assertTimeoutPreemptively(BOUND, () -> {
      FileSource source = FileSource.open("spin-stop", SPINS, options, Clock.systemUTC(), decoders);
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      recorder.awaitFrames(3, Duration.ofSeconds(10));
      long began = System.nanoTime();
      source.stop();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      assertTrue(tookMillis < 2000, "stop() took " + tookMillis + " ms while the frame's budget is 10 s");
      assertEquals(SourceState.IDLE, source.state());
      assertTrue(FileSourcePlaybackTest.sourceThread("spin-stop").isEmpty(), "the playing thread ended");
      Await.until(() -> "only the spare decoder process is left, have " + decoders.processes(),
          () -> decoders.processes() == 1, Duration.ofSeconds(5));
      source.close();
    });
  }

  @Test
  void openingGivesUpOnAProbeThatHangs() {
    CountDownLatch release = new CountDownLatch(1);
    FileSource.Probe hanging = file -> {
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new SourceException("released");
    };
    FileSource.Options options = FileSource.Options.DEFAULT.withOpenTimeout(Duration.ofMillis(300));
    try {
      assertTimeoutPreemptively(BOUND, () -> {
        Path file = dir.resolve("slow.mp4");
        SourceException e = assertThrows(SourceException.class, () -> FileSource.open(
            "hang", file, options, Clock.systemUTC(), hanging, decoders));
        assertTrue(e.getMessage().contains("could not be examined within 300 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("slow.mp4"), e.getMessage());
      });
    } finally {
      release.countDown();
    }
  }

  @Test
  void aThrowingSinkDoesNotStopPlayback() throws Exception {
    Path clip = clip("sink.mp4");
    assertTimeoutPreemptively(BOUND, () -> {
      try (FileSource source = FileSource.open("sink", clip, ONCE, Clock.systemUTC(), decoders)) {
        FrameRecorder recorder = new FrameRecorder(false);
        source.start(frame -> {
          recorder.onFrame(frame);
          throw new IllegalStateException("consumer bug");
        }, recorder);
        assertEquals(SourceState.ENDED, recorder.awaitEnd(Duration.ofSeconds(10)).state());
        assertTrue(recorder.count() > 0, "frames reached the sink");
        assertEquals(10, recorder.count() + source.meter().framesDropped(), "every frame shown or counted dropped");
      }
    });
  }

  /**
   * Opens {@code file} and plays it once for up to two seconds, then closes it and checks that its
   * thread is gone. Returns "rejected", "ended", "failed", "failed (decode overran)" (JCodec looped
   * on damaged bytes and the watchdog stopped it), or "playing" (slowly, by damaged timestamps).
   */
  private static String playBriefly(Path file, String name) throws InterruptedException {
    FileSource source;
    try {
      source = FileSource.open(name, file, ONCE.withFrameBudget(Duration.ofMillis(500)), Clock.systemUTC(), decoders);
    } catch (SourceException e) {
      assertTrue(e.getMessage().startsWith("file '" + file + "' "), e.getMessage());
      return "rejected";
    }
    FrameRecorder recorder = new FrameRecorder(false);
    source.start(recorder, recorder);
    Thread thread = FileSourcePlaybackTest.sourceThread(name).orElse(null);
    Change end = recorder.nextEnd(Duration.ofSeconds(2));
    source.close();
    if (thread != null) {
      thread.join(5000);
      assertFalse(thread.isAlive(), "the decoding thread of " + name + " ends on close");
    }
    if (end == null) {
      return "playing";
    }
    boolean overran = end.error() != null && end.error().contains("took longer than");
    return end.state().json() + (overran ? " (decode overran)" : "");
  }

  /** Ten tiny frames at 60 fps with the index first, so each damaged copy plays in a sixth of a second. */
  private static Path fuzzClip(String name) {
    TestClips.assumeEncoder("libx264");
    Path out = dir.resolve(name);
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=60", "-frames:v", "10", "-c:v", "libx264",
        "-threads", "1", "-movflags", "+faststart", out.toString());
    return out;
  }

  /** Opens {@code file} and checks that it fails at once with a message naming it and the reason. */
  private static void assertRejected(Path file, String... reasons) {
    SourceException e = assertTimeoutPreemptively(BOUND, () -> assertThrows(SourceException.class,
        () -> FileSource.open("bad", file, FileSource.Options.DEFAULT, Clock.systemUTC(), decoders).close()));
    String message = e.getMessage();
    assertTrue(message.startsWith("file '" + file + "' "), message);
    for (String reason : reasons) {
      assertTrue(message.contains(reason), "expected '" + reason + "' in: " + message);
    }
  }

  /** A tiny 10-frame clip in another codec (or H.264 variant), encoded with {@code encoder}. */
  private static Path otherCodec(String name, String encoder, String... extra) {
    TestClips.assumeEncoder(encoder);
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "10", "-c:v", encoder));
    args.addAll(List.of(extra));
    args.add(out.toString());
    TestClips.ffmpeg(args.toArray(String[]::new));
    return out;
  }

  /** A 10-frame H.264 clip (B-frames on) with extra muxer options. */
  private static Path clip(String name, String... muxerOptions) {
    TestClips.assumeEncoder("libx264");
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of(
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "10", "-c:v", "libx264"));
    args.addAll(List.of(muxerOptions));
    args.add(out.toString());
    TestClips.ffmpeg(args.toArray(String[]::new));
    return out;
  }

  private static Path renamed(Path from, String name) {
    try {
      return Files.copy(from, dir.resolve(name));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Path cut(Path from, String name, long length) throws IOException {
    Path to = dir.resolve(name);
    try (RandomAccessFile in = new RandomAccessFile(from.toFile(), "r")) {
      byte[] head = new byte[(int) length];
      in.readFully(head);
      Files.write(to, head);
    }
    return to;
  }

  /** Byte offset of the first top-level box of {@code type}. */
  private static long offsetOf(Path file, String type) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long offset = 0;
      while (offset + 8 <= in.length()) {
        in.seek(offset);
        long size = Integer.toUnsignedLong(in.readInt());
        byte[] fourcc = new byte[4];
        in.readFully(fourcc);
        if (new String(fourcc, StandardCharsets.US_ASCII).equals(type)) {
          return offset;
        }
        offset += size;
      }
    }
    throw new AssertionError("no " + type + " box in " + file);
  }
}
