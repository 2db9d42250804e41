package io.webrtcgw.source.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.FrameRecorder.Seen;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding ahead stays within the memory budget whatever the GOP: a 1080p file whose one GOP lasts
 * 10 s (300 frames, 890 MiB of pictures) decodes on one lane into no more buffers than the budget
 * holds, while it plays on the file's clock.
 */
class FileSourceMemoryTest {
  private static final Clock EPOCH = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  @TempDir static Path dir;

  private static long directMemory() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
  }

  @Test
  void aTenSecondGopAt1080pDecodesWithinTheBudget() throws Exception {
    Spec spec = new Spec("high", 3, 1920, 1080, "30", 10.0);
    Path clip = TestClips.h264(dir, spec, 300, false);
    FileSource.Options options = FileSource.Options.DEFAULT.withDecodeAhead(96L << 20, 2);
    long frameBytes = 1920L * 1080 * 3 / 2;
    try (DecoderSandbox decoders = DecoderSandbox.start();
        FileSource source = FileSource.open("long-gop", clip, options, EPOCH, decoders)) {
      FileSource.Layout layout = source.layout();
      assertEquals(1, layout.lanes(), "a second lane would need half a GOP of room: " + layout);
      assertTrue(layout.capacity() * frameBytes <= options.decodeAheadBytes(),
          layout.capacity() + " buffers of " + frameBytes + " bytes exceed the budget of " + options.decodeAheadBytes());

      long directBefore = directMemory();
      long[] directMost = {directBefore};
      FrameRecorder recorder = new FrameRecorder(false);
      long started = System.nanoTime();
      source.start(recorder, recorder);
      // Three seconds of the file's clock passed: its first 90 frames shown or dropped (on a busy
      // machine, JCodec may not even decode the GOP's references in real time, and only its key
      // frame is shown).
      recorder.awaitFrames(1, Duration.ofSeconds(20));
      Await.until(() -> "three seconds of the file played: " + recorder.count() + " frames shown, "
          + source.meter().framesDropped() + " dropped", () -> {
            directMost[0] = Math.max(directMost[0], directMemory());
            return recorder.count() + source.meter().framesDropped() >= 90;
          }, Duration.ofSeconds(20));
      assertEquals(SourceState.RUNNING, source.state(), source.lastError());
      List<Seen> frames = recorder.frames();
      FileSourcePlaybackTest.assertOnTheFilesClock(spec.fps(), frames.subList(0, Math.min(frames.size(), 90)), started);
      assertTrue(source.buffersMade() <= layout.capacity(),
          source.buffersMade() + " buffers made, capacity " + layout.capacity());
      assertTrue(source.peakBuffers() <= layout.capacity(), "held at once: " + source.peakBuffers());
      // The JVM's own count of direct memory, which the pictures live in (a socket's buffers beside).
      long grew = directMost[0] - directBefore;
      assertTrue(grew <= options.decodeAheadBytes() + (8L << 20),
          "direct memory grew by " + (grew >> 20) + " MiB, the budget is " + (options.decodeAheadBytes() >> 20) + " MiB");
      assertTrue(source.buffersMade() >= 2, "pictures were decoded into the pool: " + source.buffersMade());
    }
  }
}
