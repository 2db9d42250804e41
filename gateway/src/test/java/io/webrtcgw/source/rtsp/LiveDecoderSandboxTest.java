package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.AccessUnitDecoder;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode stage with JCodec in decoder processes, as the gateway runs it: a picture JCodec
 * never finishes costs its process and the pictures up to the next key frame, which decodes in a
 * fresh process although the camera sent its parameter sets only once; a camera that changes its
 * picture size plays on at the new size.
 */
class LiveDecoderSandboxTest {
  /** JCodec never returns from this clip's fourth frame (see resources/h264/README.md). */
  private static final Path SPINS = Path.of(System.getProperty("gateway.projectRoot", ".."),
      "gateway/src/test/resources/h264/jcodec-spins.mp4");

  @TempDir static Path dir;
  private static DecoderSandbox sandbox;

  /** The decode stage's clock stands still: lateness is LiveDecoderTest's, these pictures are never late. */
  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
  private final SourceMeter meter = new SourceMeter();
  private final Recorder recorder = new Recorder();
  private final List<String> faults = new ArrayList<>();

  @BeforeAll
  static void start() {
    TestClips.assumeEncoder("libx264");
    sandbox = DecoderSandbox.start();
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private LiveDecoder decoder(Duration budget) {
    return new LiveDecoder("sandboxed", sandbox, budget, recorder, meter, new LiveDecoder.Events() {
      @Override
      public void picture(int session, int width, int height, double fps) {}

      @Override
      public void fault(int session, RtspException reason) {
        synchronized (faults) {
          faults.add(reason.getMessage());
        }
      }
    }, Clock.systemUTC(), now::get);
  }

  private static Thread run(LiveDecoder decoder) {
    Thread thread = new Thread(decoder, "live-decoder-sandbox-test");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** The unit again, {@code later} RTP ticks on, without the NAL types in {@code drop}. */
  private AccessUnit again(AccessUnit unit, long later, int... drop) {
    List<byte[]> nals = new ArrayList<>();
    for (byte[] nal : unit.nalUnits()) {
      int type = nal[0] & 0x1F;
      if (java.util.Arrays.stream(drop).noneMatch(t -> t == type)) {
        nals.add(nal.clone());
      }
    }
    return new AccessUnit(nals, unit.timestamp() + later, now.get(), unit.idr(), unit.reference());
  }

  private static void offerOne(LiveDecoder decoder, int session, AccessUnit unit) {
    Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(20));
    decoder.offer(session, unit);
  }

  @Test
  void aPictureThatNeverDecodesCostsItsProcessAndPlayResumesAtTheNextKeyFrame() throws Exception {
    List<AccessUnit> units = LiveDecoderTest.units(dir, SPINS, 0);
    assertTrue(units.get(0).idr() && units.get(0).nalUnits().stream()
        .anyMatch(nal -> (nal[0] & 0x1F) == AccessUnitDecoder.NAL_SPS), "the parameter sets come in band, once");
    // The file source's budget: a decoder process that is still starting must fit in it.
    LiveDecoder decoder = decoder(Duration.ofSeconds(3));
    Thread thread = run(decoder);
    // No SDP parameter sets: a camera that sends them only in the stream.
    decoder.begin(1, List.of(), 90000);
    for (int i = 0; i < 4; i++) {
      offerOne(decoder, 1, again(units.get(i), 0));
    }
    Await.until("the spinning picture given up", () -> meter.framesDropped() >= 1, Duration.ofSeconds(20));
    assertEquals(3, recorder.count(), "the three pictures before it");
    // The camera's next key frame, without the parameter sets it sent once at the start.
    long gop = 12 * 3000L;
    offerOne(decoder, 1, again(units.get(0), gop, AccessUnitDecoder.NAL_SPS, AccessUnitDecoder.NAL_PPS));
    Await.until("the key frame decoded in a fresh process", () -> recorder.count() == 4, Duration.ofSeconds(20));
    offerOne(decoder, 1, again(units.get(1), gop));
    offerOne(decoder, 1, again(units.get(2), gop));
    Await.until("the pictures after it", () -> recorder.count() == 6, Duration.ofSeconds(20));
    decoder.end();
    thread.join(10_000);
    assertEquals(List.of(), faults, "one spinning picture is no fault of the stream");
    assertEquals(1, meter.framesDropped(), "the picture given up");
    assertEquals(160, recorder.frames().get(5).width());
    Await.until(() -> "the decoder's process ended with the stream; left: " + sandbox.processes(),
        () -> sandbox.processes() == 1, Duration.ofSeconds(5));
  }

  @Test
  void aCameraThatChangesItsPictureSizePlaysOnAtTheNewSize() throws Exception {
    List<AccessUnit> large = LiveDecoderTest.units(dir, TestClips.h264(dir, new Spec("main", 2, 320, 240, "30", 1.0)), 0);
    List<AccessUnit> small = LiveDecoderTest.units(dir, TestClips.h264(dir, new Spec("main", 2, 160, 120, "30", 1.0)), 0);
    LiveDecoder decoder = decoder(Duration.ofSeconds(3));
    Thread thread = run(decoder);
    decoder.begin(2, List.of(), 90000);
    for (AccessUnit unit : large) {
      offerOne(decoder, 2, again(unit, 0));
    }
    long after = large.get(large.size() - 1).timestamp() + 3000;
    for (AccessUnit unit : small) {
      offerOne(decoder, 2, again(unit, after));
    }
    Await.until("the decoder to take every unit", () -> decoder.backlog() == 0, Duration.ofSeconds(20));
    decoder.end();
    thread.join(10_000);
    List<Recorder.Seen> frames = recorder.frames();
    List<Integer> numbers = frames.stream().map(Recorder.Seen::number).toList();
    int firstSmall = 0;
    while (firstSmall < frames.size() && frames.get(firstSmall).width() == 320) {
      firstSmall++;
    }
    assertTrue(firstSmall >= 28, "the first clip's pictures, B-frames in order: " + numbers);
    for (int i = 1; i < firstSmall; i++) {
      assertEquals(numbers.get(i - 1) + 1, numbers.get(i), "in order: " + numbers);
    }
    assertTrue(frames.size() - firstSmall >= 28, "pictures at the new size: " + (frames.size() - firstSmall));
    for (int i = firstSmall; i < frames.size(); i++) {
      assertEquals(160, frames.get(i).width());
      assertEquals(120, frames.get(i).height());
    }
    assertEquals(List.of(), faults);
  }
}
