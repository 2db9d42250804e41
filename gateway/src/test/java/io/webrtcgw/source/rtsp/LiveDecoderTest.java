package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.AnnexB;
import io.webrtcgw.source.h264.DecodeException;
import io.webrtcgw.source.h264.DecodedPicture;
import io.webrtcgw.source.h264.LocalDecoder;
import io.webrtcgw.source.h264.StreamDecoder;
import io.webrtcgw.testing.Await;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode stage on ffmpeg-made streams fed as RTP would feed them, with a fake clock for
 * lateness: presentation order for B-frames, skipping to a key frame when behind, refusals. JCodec
 * runs in this JVM here ({@link LocalDecoder}); {@code LiveDecoderSandboxTest} runs it in decoder
 * processes.
 */
class LiveDecoderTest {
  @TempDir static Path dir;
  /** Access units of a stamped Main profile clip with B-frames, in decode order, with their RTP time. */
  private static List<AccessUnit> bFrameUnits;
  private static List<AccessUnit> baselineUnits;

  private final AtomicLong now = new AtomicLong(TimeUnit.SECONDS.toNanos(1000));
  private final SourceMeter meter = new SourceMeter(now::get);
  private final Recorder recorder = new Recorder();
  private final List<String> faults = new ArrayList<>();
  private final List<Integer> pictureSessions = new ArrayList<>();

  @BeforeAll
  static void makeStreams() throws Exception {
    bFrameUnits = units(dir, TestClips.h264(dir, new Spec("main", 2, 320, 240, "30", 2.0)), 0);
    baselineUnits = units(dir, TestClips.h264(dir, new Spec("baseline", 0, 320, 240, "30", 2.0)), 0);
  }

  /**
   * The clip's access units (an MP4 of ffmpeg's at 30 fps) with RTP timestamps from its
   * presentation times, arriving at {@code arrival}; {@code dir} takes the raw stream.
   */
  static List<AccessUnit> units(Path dir, Path clip, long arrival) throws IOException, InterruptedException {
    Path raw = dir.resolve(clip.getFileName() + ".h264");
    TestClips.ffmpeg("-i", clip.toString(), "-c:v", "copy", "-bsf:v", "h264_mp4toannexb,h264_metadata=aud=insert",
        "-f", "h264", raw.toString());
    Process probe = new ProcessBuilder("/usr/bin/ffprobe", "-v", "error", "-select_streams", "v:0",
        "-show_entries", "packet=pts", "-of", "csv=p=0", clip.toString()).redirectErrorStream(true).start();
    List<Long> pts = new ArrayList<>();
    for (String line : new String(probe.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
      if (!line.isBlank()) {
        pts.add(Long.parseLong(line.trim()));
      }
    }
    probe.waitFor(30, TimeUnit.SECONDS);
    List<List<byte[]>> groups = new ArrayList<>();
    for (byte[] nal : AnnexB.nalUnits(Files.readAllBytes(raw))) {
      if ((nal[0] & 0x1F) == 9 || groups.isEmpty()) {
        groups.add(new ArrayList<>());
      }
      if ((nal[0] & 0x1F) != 9) {
        groups.get(groups.size() - 1).add(nal);
      }
    }
    assertEquals(pts.size(), groups.size(), "one access unit per packet");
    List<AccessUnit> units = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      List<byte[]> nals = groups.get(i);
      boolean idr = nals.stream().anyMatch(n -> (n[0] & 0x1F) == 5);
      boolean reference = nals.stream().anyMatch(n -> ((n[0] & 0x1F) == 1 || (n[0] & 0x1F) == 5) && (n[0] & 0x60) != 0);
      // MP4 timescale 15360 for 30 fps from ffmpeg; RTP's clock is 90 kHz.
      units.add(new AccessUnit(nals, pts.get(i) * 90000 / 15360, arrival, idr, reference));
    }
    return units;
  }

  private LiveDecoder decoder() {
    return decoder(LocalDecoder::new);
  }

  private LiveDecoder decoder(StreamDecoder.Factory decoders) {
    return new LiveDecoder("test", decoders, Duration.ofSeconds(3), recorder, meter, new LiveDecoder.Events() {
      @Override
      public void picture(int session, int width, int height, double fps) {
        synchronized (pictureSessions) {
          pictureSessions.add(session);
        }
      }

      @Override
      public void fault(int session, RtspException reason) {
        synchronized (faults) {
          faults.add(reason.getMessage());
        }
      }
    }, Clock.systemUTC(), now::get);
  }

  private static AccessUnit arriving(AccessUnit unit, long arrival) {
    return new AccessUnit(unit.nalUnits(), unit.timestamp(), arrival, unit.idr(), unit.reference());
  }

  private static Thread run(LiveDecoder decoder) {
    Thread thread = new Thread(decoder, "live-decoder-test");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void bFramesComeOutInPresentationOrder() throws Exception {
    LiveDecoder decoder = decoder();
    Thread thread = run(decoder);
    decoder.begin(1, List.of(), 90000);
    for (AccessUnit unit : bFrameUnits) {
      // One at a time, as a camera sends them: the queue never overflows.
      Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
      decoder.offer(1, arriving(unit, now.get()));
    }
    decoder.end();
    thread.join(10_000);
    List<Integer> numbers = recorder.frames().stream().map(Recorder.Seen::number).toList();
    // The SPS says two pictures reorder (x264 with -bf 2): those two stay held when the stream ends.
    assertEquals(58, numbers.size(), "held back no deeper than the stream needs: " + numbers);
    for (int i = 0; i < numbers.size(); i++) {
      assertEquals(i, numbers.get(i), "frame " + i + " in " + numbers);
    }
    assertEquals(0, meter.framesDropped());
    assertEquals(60, meter.decodes());
  }

  @Test
  void unitsThatArriveTooLateAreSkippedToTheNextKeyFrame() throws Exception {
    LiveDecoder decoder = decoder();
    Thread thread = run(decoder);
    decoder.begin(7, List.of(), 90000);
    long late = now.get() - TimeUnit.MILLISECONDS.toNanos(1500);
    // The key frame is fresh; the rest of the first second arrives 1.5 s old, one by one.
    for (int i = 0; i < 30; i++) {
      Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
      decoder.offer(7, arriving(baselineUnits.get(i), i == 0 ? now.get() : late));
    }
    decoder.end();
    thread.join(10_000);
    assertEquals(1, recorder.count(), "nothing stale is shown");
    assertEquals(29, meter.framesDropped(), "every stale unit is counted");
    assertEquals(List.of(7), pictureSessions.stream().distinct().toList());
  }

  @Test
  void behindItSkipsToTheNextKeyFrame() throws Exception {
    LiveDecoder decoder = decoder();
    Thread thread = run(decoder);
    decoder.begin(9, List.of(), 90000);
    AccessUnit key = baselineUnits.get(0);
    decoder.offer(9, arriving(key, now.get()));
    Await.until("the first key frame shown", () -> recorder.count() == 1, Duration.ofSeconds(10));
    // 300 ms late: more than 6 frame intervals.
    long late = now.get() - TimeUnit.MILLISECONDS.toNanos(300);
    for (int i = 1; i <= 7; i++) {
      decoder.offer(9, arriving(baselineUnits.get(i), late));
    }
    // The camera's next key frame (the first one again, eight frames on).
    decoder.offer(9, new AccessUnit(key.nalUnits(), key.timestamp() + 8 * 3000L, now.get(), true, true));
    Await.until("the decoder to take every unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
    decoder.end();
    thread.join(10_000);
    assertEquals(2, recorder.count(), "the two key frames");
    assertEquals(7, meter.framesDropped(), "the late frames between them");
  }

  @Test
  void aFullQueueIsDroppedAndDecodingResumesAtTheNextKeyFrame() throws Exception {
    LiveDecoder decoder = decoder();
    decoder.begin(1, List.of(), 90000);
    // Nothing decodes while all 60 units arrive: the queue overflows.
    for (AccessUnit unit : baselineUnits) {
      decoder.offer(1, arriving(unit, now.get()));
    }
    Thread thread = run(decoder);
    decoder.end();
    thread.join(10_000);
    List<Integer> numbers = recorder.frames().stream().map(Recorder.Seen::number).toList();
    assertTrue(meter.framesDropped() >= 50, "dropped " + meter.framesDropped());
    assertTrue(numbers.isEmpty() || baselineUnits.get(numbers.get(0)).idr(),
        "what is shown after the purge starts at a key frame: " + numbers);
  }

  @Test
  void unitsOfAnEarlierSessionAreIgnored() throws Exception {
    LiveDecoder decoder = decoder();
    Thread thread = run(decoder);
    decoder.begin(2, List.of(), 90000);
    decoder.offer(1, baselineUnits.get(0));
    decoder.offer(2, arriving(baselineUnits.get(0), now.get()));
    decoder.end();
    thread.join(10_000);
    assertEquals(1, recorder.count());
  }

  @Test
  void aNewSessionKeepsItsDecoderAndGivesItTheNewParameterSets() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    LiveDecoder decoder = decoder(spec -> {
      opened.incrementAndGet();
      return new LocalDecoder(spec);
    });
    Thread thread = run(decoder);
    decoder.begin(1, List.of(), 90000);
    for (int i = 0; i < 10; i++) {
      Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
      decoder.offer(1, arriving(baselineUnits.get(i), now.get()));
    }
    // The camera again after a reconnect: its parameter sets in the SDP this time, not in the stream.
    List<ByteBuffer> sdp = new ArrayList<>();
    List<AccessUnit> slicesOnly = new ArrayList<>();
    for (AccessUnit unit : baselineUnits.subList(0, 10)) {
      List<byte[]> nals = new ArrayList<>();
      for (byte[] nal : unit.nalUnits()) {
        int type = nal[0] & 0x1F;
        if (type == 7 || type == 8) {
          sdp.add(ByteBuffer.wrap(nal.clone()));
        } else {
          nals.add(nal.clone());
        }
      }
      slicesOnly.add(new AccessUnit(nals, unit.timestamp(), now.get(), unit.idr(), unit.reference()));
    }
    decoder.begin(2, sdp, 90000);
    for (AccessUnit unit : slicesOnly) {
      Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
      decoder.offer(2, unit);
    }
    decoder.end();
    thread.join(10_000);
    assertEquals(20, recorder.count(), "every picture of both sessions");
    assertEquals(List.of(1, 2), pictureSessions.stream().distinct().toList());
    assertEquals(1, opened.get(), "one decoder (in production one process) for both sessions");
    assertEquals(0, meter.framesDropped());
  }

  @Test
  void h264JCodecCannotDecodeIsAFaultThatNamesIt() throws Exception {
    Path clip = dir.resolve("high10.mp4");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30", "-frames:v", "5", "-c:v", "libx264",
        "-pix_fmt", "yuv420p10le", clip.toString());
    LiveDecoder decoder = decoder();
    Thread thread = run(decoder);
    decoder.begin(3, List.of(), 90000);
    for (AccessUnit unit : units(dir, clip, now.get())) {
      decoder.offer(3, unit);
    }
    decoder.end();
    thread.join(10_000);
    assertEquals(1, faults.size(), "reported once: " + faults);
    assertTrue(faults.get(0).contains("High 10"), faults.get(0));
    assertEquals(0, recorder.count());
  }

  @Test
  void keyFramesThatFailToDecodeInARowAreOneFault() throws Exception {
    StreamDecoder.Factory damaged = spec -> new StreamDecoder() {
      @Override
      public DecodedPicture decode(List<ByteBuffer> nalUnits, long pts) throws DecodeException {
        throw new DecodeException.Damaged("damaged slice");
      }

      @Override
      public void reset() {}

      @Override
      public void close() {}
    };
    LiveDecoder.Events events = new LiveDecoder.Events() {
      @Override
      public void picture(int session, int width, int height, double fps) {}

      @Override
      public void fault(int session, RtspException reason) {
        synchronized (faults) {
          faults.add(reason.getMessage());
        }
      }
    };
    LiveDecoder decoder = new LiveDecoder("test", damaged, Duration.ofSeconds(3), recorder, meter, events,
        Clock.systemUTC(), now::get);
    Thread thread = run(decoder);
    decoder.begin(4, List.of(), 90000);
    for (int i = 0; i < 30; i++) {
      Await.until("the decoder to take the last unit", () -> decoder.backlog() == 0, Duration.ofSeconds(10));
      decoder.offer(4, arriving(baselineUnits.get(i % 2 == 0 ? 0 : 1), now.get()));
    }
    decoder.end();
    thread.join(10_000);
    assertEquals(1, faults.size(), "reported once: " + faults);
    assertTrue(faults.get(0).contains("cannot be decoded: " + LiveDecoder.MAX_FAILED_IN_ROW + " key frames in a row"),
        faults.get(0));
    assertEquals(LiveDecoder.MAX_FAILED_IN_ROW, meter.framesDropped() - 4,
        "each failed key frame and each P-frame waiting for the next one until the fault");
  }
}
