package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.FrameBuffer;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.FrameRecorder.Change;
import io.webrtcgw.source.file.FrameRecorder.Seen;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.LocalDecoder;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.testing.Await;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decoder slowed on purpose (JCodec in this JVM, each unit made to take a fixed time) cannot keep
 * up with the file: playback keeps the file's clock all the same, every frame shown at its own time
 * and a loop at its period, and what could not be ready is dropped and counted, frames nothing
 * refers to first (without decoding them), then the tails of GOPs.
 */
class DropPolicyTest {
  private static final Clock EPOCH = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  @TempDir static Path dir;

  /**
   * 50 ms a unit on one lane, 20 a second for a 30 fps file: not every frame fits, so frames nothing
   * refers to are left undecoded.
   */
  @Test
  void aDecoderTooSlowForEveryFrameLeavesFramesNothingRefersToUndecodedAndKeepsTheClock() throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 4.0);
    Path clip = TestClips.h264(dir, spec, 30, false);
    Slowed decoders = new Slowed(Duration.ofMillis(50));
    FileSource.Options options = FileSource.Options.DEFAULT.withLoop(false).withDecodeAhead(64L << 20, 1);
    try (FileSource source = FileSource.open("slow", clip, options, EPOCH, decoders)) {
      assertEquals(1, source.layout().lanes());
      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      Change end = recorder.awaitEnd(Duration.ofSeconds(30));
      long ended = System.nanoTime();
      assertEquals(SourceState.ENDED, end.state(), "ended with " + end.error());

      List<Seen> frames = recorder.frames();
      DecodeAhead.Drops drops = source.drops();
      assertOnTheClock(spec, frames, started, ended);
      assertEquals(spec.frames(), frames.size() + source.meter().framesDropped(), "shown plus dropped: " + drops);
      assertEquals(source.meter().framesDropped(), drops.total(), "every drop has its reason: " + drops);
      assertTrue(drops.undecoded() > 0, "frames nothing refers to are given up first: " + drops);
      assertTrue(decoders.units() <= spec.frames() - drops.undecoded(),
          decoders.units() + " units decoded: those given up first were not decoded at all (" + drops + ")");
      // 20 units a second could show two thirds of the frames at best; giving up whole GOPs, or
      // decoding what is late anyway, ends far below a third.
      assertTrue(frames.size() >= spec.frames() / 3,
          "most of what can be decoded in time is shown: " + frames.size() + " frames, " + drops);
    }
  }

  /**
   * 110 ms a unit, 9 a second: not even the frames others refer to fit, so each GOP's tail is
   * given up; the loop still keeps its period, pass after pass.
   */
  @Test
  void aDecoderTooSlowEvenForReferencesGivesUpTailsOfGopsAndTheLoopKeepsItsPeriod() throws Exception {
    Spec spec = new Spec("high", 3, 320, 240, "30", 1.0);
    Path clip = TestClips.h264(dir, spec, 15, false);
    Slowed decoders = new Slowed(Duration.ofMillis(110));
    FileSource.Options options = FileSource.Options.DEFAULT.withDecodeAhead(64L << 20, 1);
    try (FileSource source = FileSource.open("slower", clip, options, EPOCH, decoders)) {
      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      // Four passes at least: until a frame of the fifth is shown, 4 s after the first frame on the file's clock.
      long firstCapture = recorder.awaitFrames(1, Duration.ofSeconds(10)).get(0).captureMicros();
      Await.until("a frame of the fifth pass", () -> {
        List<Seen> all = recorder.frames();
        return all.get(all.size() - 1).captureMicros() >= firstCapture + 4_000_000;
      }, Duration.ofSeconds(20));
      List<Seen> frames = new ArrayList<>();
      int pass = 0;
      for (Seen frame : recorder.frames()) {
        if (!frames.isEmpty() && frame.number() <= frames.get(frames.size() - 1).number() % spec.frames()) {
          pass++;
        }
        frames.add(new Seen(pass * spec.frames() + frame.number(), frame.width(), frame.height(),
            frame.captureMicros(), frame.arrivalNanos(), null));
      }
      assertEquals(SourceState.RUNNING, source.state());
      assertTrue(pass >= 3, "looped: " + pass + " passes seen");
      // Each pass adds exactly the file's duration: frame n of pass p is due at p s + n/30 s.
      FileSourcePlaybackTest.assertOnTheFilesClock(spec.fps(), frames, started);
      FileSourcePlaybackTest.assertOnSchedule(frames);
      DecodeAhead.Drops drops = source.drops();
      assertTrue(drops.tails() > 0, "tails of GOPs given up: " + drops);
      assertTrue(drops.undecoded() > 0, "frames nothing refers to given up: " + drops);
      // Playing on, the lane may have given up slots the presenter has not reached yet.
      long counted = source.meter().framesDropped();
      int lastShown = frames.get(frames.size() - 1).number();
      assertTrue(counted >= lastShown + 1 - frames.size() && counted <= source.drops().total(),
          "every slot passed and not shown is counted in the meter: " + counted + " of " + drops);
      for (int p = 0; p < 4; p++) {
        int first = p * spec.frames();
        assertTrue(frames.stream().anyMatch(f -> f.number() >= first && f.number() < first + spec.frames()),
            "pass " + p + " showed something");
      }
    }
  }

  /** Every frame shown is the next in presentation order, at its file time, and the clip ends on time. */
  private static void assertOnTheClock(Spec spec, List<Seen> frames, long started, long ended) {
    assertTrue(!frames.isEmpty(), "nothing shown");
    FileSourcePlaybackTest.assertOnTheFilesClock(spec.fps(), frames, started);
    FileSourcePlaybackTest.assertOnSchedule(frames);
    // Never slow motion: the end comes when the file's last frame is due, not later.
    Seen first = frames.get(0);
    long lastDue = first.arrivalNanos() + (long) ((spec.frames() - 1 - first.number()) * 1e9 / spec.fps());
    assertTrue(ended - lastDue < TimeUnit.MILLISECONDS.toNanos(1500),
        "ended " + (ended - lastDue) / 1_000_000 + " ms after the last frame was due");
  }

  /** JCodec in this JVM, each unit (decoded to show or only to refer to) made to take {@code cost}. */
  private static final class Slowed implements StreamDecoder.Factory {
    private final long costNanos;
    private final LongAdder units = new LongAdder();

    Slowed(Duration cost) {
      this.costNanos = cost.toNanos();
    }

    long units() {
      return units.sum();
    }

    @Override
    public StreamDecoder open(StreamDecoder.Spec spec) {
      LocalDecoder decoder = new LocalDecoder(spec);
      return new StreamDecoder() {
        @Override
        public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
          take();
          return decoder.decode(nalUnits, pts);
        }

        @Override
        public FrameBuffer decode(List<ByteBuffer> nalUnits, long pts, FrameBuffer into) throws DecodeException {
          take();
          return decoder.decode(nalUnits, pts, into);
        }

        @Override
        public void decodeReference(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
          take();
          decoder.decodeReference(nalUnits, pts);
        }

        @Override
        public void reset() {
          decoder.reset();
        }

        @Override
        public void close() {
          decoder.close();
        }
      };
    }

    /** The unit's cost: a decoder this slow, not a wait for anything to happen. */
    private void take() {
      units.increment();
      long until = System.nanoTime() + costNanos;
      long left;
      while ((left = until - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
      }
    }
  }
}
