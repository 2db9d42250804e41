package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.FrameRecorder.Change;
import io.webrtcgw.source.file.FrameRecorder.Seen;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.DecoderSandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GOPs decoded on two lanes at once reach the sink in presentation order across every GOP
 * boundary, each picture the one its stamp says: closed GOPs with B-frames, open GOPs (whose
 * leading B-frames need the GOP before), and files of one GOP, which decode on one lane when
 * played once and decode their next pass ahead on a second lane when looping.
 */
class ParallelDecodeTest {
  private static final Clock EPOCH = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
  /** Two lanes and room for them; frames may come any time late, so every one is checked. */
  private static final FileSource.Options TWO_LANES = FileSourcePlaybackTest.LOSSLESS.withDecodeAhead(256L << 20, 2);

  @TempDir static Path dir;
  private static DecoderSandbox decoders;

  @BeforeAll
  static void start() {
    decoders = DecoderSandbox.start();
  }

  @AfterAll
  static void stop() {
    decoders.close();
  }

  @ParameterizedTest(name = "open GOP: {0}")
  @ValueSource(booleans = {false, true})
  void gopsOnTwoLanesComeOutInPresentationOrder(boolean open) throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 4.0);
    Path clip = TestClips.h264(dir, spec, 15, open);
    try (FileSource source = FileSource.open("lanes", clip, TWO_LANES, EPOCH, decoders)) {
      assertEquals(2, source.layout().lanes());
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      Change end = recorder.awaitEnd(Duration.ofSeconds(30));
      assertEquals(SourceState.ENDED, end.state(), "ended with " + end.error());
      assertEveryFrameInOrder(recorder.frames(), spec.frames(), spec.frames());
      assertEquals(0, source.meter().framesDropped(), "nothing dropped: " + source.drops());
      assertBothLanesDecoded(source);
    }
  }

  @Test
  void aFileOfOneGopPlayedOnceDecodesOnOneLane() throws Exception {
    Spec spec = new Spec("main", 3, 320, 240, "30", 2.0);
    Path clip = TestClips.h264(dir, spec, 1000, false);
    try (FileSource source = FileSource.open("one-gop", clip, TWO_LANES, EPOCH, decoders)) {
      assertEquals(1, source.layout().lanes(), "nothing to decode beside its one GOP");
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      assertEquals(SourceState.ENDED, recorder.awaitEnd(Duration.ofSeconds(30)).state());
      assertEveryFrameInOrder(recorder.frames(), spec.frames(), spec.frames());
    }
  }

  @Test
  void aLoopingFileOfOneGopDecodesItsNextPassOnTheSecondLane() throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 1.0);
    Path clip = TestClips.h264(dir, spec, 1000, false);
    try (FileSource source = FileSource.open("one-gop-loop", clip, TWO_LANES.withLoop(true), EPOCH, decoders)) {
      assertEquals(2, source.layout().lanes());
      FrameRecorder recorder = new FrameRecorder(false);
      source.start(recorder, recorder);
      List<Seen> frames = recorder.awaitFrames(3 * spec.frames(), Duration.ofSeconds(30));
      assertEveryFrameInOrder(frames, spec.frames(), 3 * spec.frames());
      assertBothLanesDecoded(source);
    }
  }

  /**
   * On the file's clock (frames may be dropped when the machine is busy), the same parallel
   * decoding keeps order and schedule, and accounts for every frame.
   */
  @Test
  void inRealTimeTwoLanesKeepOrderAndClock() throws Exception {
    Spec spec = new Spec("high", 3, 640, 360, "30", 4.0);
    Path clip = TestClips.h264(dir, spec, 30, true);
    FileSource.Options options = FileSource.Options.DEFAULT.withLoop(false).withDecodeAhead(256L << 20, 2);
    try (FileSource source = FileSource.open("lanes-live", clip, options, EPOCH, decoders)) {
      assertEquals(2, source.layout().lanes());
      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      assertEquals(SourceState.ENDED, recorder.awaitEnd(Duration.ofSeconds(30)).state());
      List<Seen> frames = recorder.frames();
      assertTrue(!frames.isEmpty());
      FileSourcePlaybackTest.assertOnTheFilesClock(spec.fps(), frames, started);
      assertEquals(spec.frames(), frames.size() + source.meter().framesDropped(), "shown plus dropped");
      assertBothLanesDecoded(source);
    }
  }

  /** Frame numbers 0, 1, 2 ... {@code count - 1}, wrapping at {@code perPass}. */
  private static void assertEveryFrameInOrder(List<Seen> frames, int perPass, int count) {
    assertEquals(count, frames.size(), "frames shown");
    for (int i = 0; i < count; i++) {
      assertEquals(i % perPass, frames.get(i).number(), "frame " + i);
    }
  }

  private static void assertBothLanesDecoded(FileSource source) {
    long[] decodes = source.decodesByLane();
    assertEquals(2, decodes.length);
    assertTrue(decodes[0] > 0 && decodes[1] > 0, "units decoded per lane: " + Arrays.toString(decodes));
  }
}
