package io.webrtcgw.source.h264;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.FrameBuffer;
import io.webrtcgw.source.FramePool;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.file.TestClips;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's lanes decode GOPs at the same time in one decoder process, each picture exactly as a
 * decoder of the gateway's own would give it, read straight into the stream's pooled buffers; a
 * lane that spins ends the process for all lanes, and each carries on in a fresh one from its next
 * key frame.
 */
class DecoderLanesTest {
  private static final int WIDTH = 320;
  private static final int HEIGHT = 240;
  private static final int GOP = 12;
  private static final int GOPS = 4;

  @TempDir static Path dir;
  private static DecoderSandbox sandbox;
  /** The test stream's access units, split at each IDR. */
  private static List<List<List<ByteBuffer>>> gops;

  @BeforeAll
  static void start() throws Exception {
    TestClips.assumeEncoder("libx264");
    sandbox = DecoderSandbox.start();
    Path raw = dir.resolve("gops.h264");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=" + WIDTH + "x" + HEIGHT + ":rate=30",
        "-frames:v", String.valueOf(GOP * GOPS), "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
        "-bf", "2", "-g", String.valueOf(GOP), "-keyint_min", String.valueOf(GOP), "-sc_threshold", "0",
        "-threads", "1", "-f", "h264", raw.toString());
    gops = splitAtIdr(AnnexB.accessUnits(AnnexB.nalUnits(Files.readAllBytes(raw))));
    assertEquals(GOPS, gops.size(), "the clip's GOPs");
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void lanesDecodeTheirGopsAtOnceInOneProcessAsTheLocalDecoderDoes() throws Exception {
    StreamDecoder.Spec spec = spec(Duration.ofSeconds(10));
    List<StreamDecoder> lanes = sandbox.openLanes(spec, 2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (FramePool pool = new FramePool(WIDTH, HEIGHT, 4)) {
      CyclicBarrier together = new CyclicBarrier(2);
      List<Future<Lane>> results = new ArrayList<>();
      for (int l = 0; l < 2; l++) {
        StreamDecoder lane = lanes.get(l);
        int first = l;
        results.add(threads.submit(() -> {
          Lane done = new Lane();
          together.await(10, TimeUnit.SECONDS);
          for (int g = first; g < GOPS; g += 2) {
            List<byte[]> pictures = new ArrayList<>();
            for (List<ByteBuffer> unit : gops.get(g)) {
              FrameBuffer into = pool.acquire(0, TimeUnit.SECONDS.toNanos(10));
              long sent = System.nanoTime();
              FrameBuffer picture = lane.decode(copies(unit), pictures.size(), into);
              done.intervals.add(new long[] {sent, System.nanoTime()});
              if (picture != null) {
                assertTrue(picture == into, "a picture of the pool's size is read into the pool's buffer");
                pictures.add(bytes(picture.frame(0, 0)));
              }
              into.release();
            }
            done.pictures.add(pictures);
          }
          done.pid = ((SandboxedDecoder) lane).pid();
          return done;
        }));
      }
      Lane even = results.get(0).get(60, TimeUnit.SECONDS);
      Lane odd = results.get(1).get(60, TimeUnit.SECONDS);
      assertEquals(even.pid, odd.pid, "both lanes decode in the stream's one process");
      assertTrue(overlap(even.intervals, odd.intervals), "the lanes' decodes ran at the same time");
      for (int g = 0; g < GOPS; g++) {
        List<byte[]> got = (g % 2 == 0 ? even : odd).pictures.get(g / 2);
        List<byte[]> expected = localPictures(gops.get(g));
        assertEquals(expected.size(), got.size(), "pictures of GOP " + g);
        for (int i = 0; i < expected.size(); i++) {
          assertArrayEquals(expected.get(i), got.get(i), "GOP " + g + ", picture " + i);
        }
      }
      long frameBytes = pool.frameBytes();
      long copied = lanes.get(0).bytesCopied() + lanes.get(1).bytesCopied();
      long pictures = (long) GOP * GOPS;
      // The process converts each picture once into its socket; the gateway copies only what
      // arrives with an answer's header into the channel's own buffer, the rest lands in place.
      assertTrue(copied >= pictures * frameBytes && copied < pictures * (frameBytes + 64 * 1024),
          copied + " bytes copied for " + pictures + " pictures of " + frameBytes);
      // Each lane holds one buffer at a time: two made, however many pictures went through them.
      assertEquals(2, pool.made(), "buffers made for " + pictures + " pictures");
    } finally {
      threads.shutdownNow();
      lanes.forEach(StreamDecoder::close);
    }
  }

  @Test
  void aSpinningLaneEndsTheProcessAndEveryLaneCarriesOnInAFreshOne() throws Exception {
    Path spins = Path.of(System.getProperty("gateway.projectRoot", ".."),
        "gateway/src/test/resources/h264/jcodec-spins.mp4");
    Path raw = dir.resolve("spins.h264");
    TestClips.ffmpeg("-i", spins.toString(), "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", raw.toString());
    List<List<ByteBuffer>> spinning = new ArrayList<>();
    for (List<byte[]> unit : AnnexB.accessUnits(AnnexB.nalUnits(Files.readAllBytes(raw)))) {
      spinning.add(AnnexB.buffers(unit));
    }
    List<StreamDecoder> lanes = sandbox.openLanes(spec(Duration.ofSeconds(2)), 2);
    StreamDecoder good = lanes.get(0);
    StreamDecoder bad = lanes.get(1);
    try (FramePool pool = new FramePool(WIDTH, HEIGHT, 2)) {
      FrameBuffer into = pool.tryAcquire();
      List<List<ByteBuffer>> gop = gops.get(0);
      assertNotNull(good.decode(copies(gop.get(0)), 0, into), "the good lane's key frame");
      long before = ((SandboxedDecoder) good).pid();
      // The fourth unit of the damaged clip makes JCodec loop forever.
      DecodeException spun = null;
      for (int i = 0; i < spinning.size() && spun == null; i++) {
        try {
          bad.decode(copies(spinning.get(i)), i, into);
        } catch (DecodeException.Overrun e) {
          spun = e;
        } catch (DecodeException e) {
          bad.reset();
        }
      }
      assertNotNull(spun, "the damaged clip overran its budget");
      // The good lane lost its process and its reference pictures with it: it goes on from its next
      // key frame, and gets the same pictures as ever.
      good.reset();
      List<List<ByteBuffer>> next = gops.get(1);
      List<byte[]> expected = localPictures(next);
      List<byte[]> got = new ArrayList<>();
      for (int i = 0; i < next.size(); i++) {
        FrameBuffer picture = good.decode(copies(next.get(i)), i, into);
        if (picture != null) {
          got.add(bytes(picture.frame(0, 0)));
        }
      }
      assertEquals(expected.size(), got.size());
      for (int i = 0; i < expected.size(); i++) {
        assertArrayEquals(expected.get(i), got.get(i), "picture " + i + " after the fresh process");
      }
      assertNotEquals(before, ((SandboxedDecoder) good).pid(), "a fresh process");
      assertEquals(((SandboxedDecoder) good).pid(), ((SandboxedDecoder) bad).pid(), "still one process for both");
      assertNotNull(bad.decode(copies(gop.get(0)), 0, into), "the spinning lane decodes again from a key frame");
      into.release();
    } finally {
      lanes.forEach(StreamDecoder::close);
    }
  }

  @Test
  void aClosedLaneRefusesToDecode() {
    List<StreamDecoder> lanes = sandbox.openLanes(spec(Duration.ofSeconds(5)), 1);
    lanes.get(0).close();
    lanes.get(0).close();
    assertThrows(IllegalStateException.class, () -> lanes.get(0).decode(copies(gops.get(0).get(0)), 0));
  }

  private static StreamDecoder.Spec spec(Duration budget) {
    return new StreamDecoder.Spec("lanes", Rotation.NONE, List.of(), List.of(), budget);
  }

  /** What one lane decoded: its GOPs' pictures, when each decode ran, and in which process. */
  private static final class Lane {
    final List<List<byte[]>> pictures = new ArrayList<>();
    final List<long[]> intervals = new ArrayList<>();
    long pid;
  }

  private static boolean overlap(List<long[]> a, List<long[]> b) {
    for (long[] x : a) {
      for (long[] y : b) {
        if (x[0] < y[1] && y[0] < x[1]) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<byte[]> localPictures(List<List<ByteBuffer>> gop) throws DecodeException {
    LocalDecoder decoder = new LocalDecoder(spec(Duration.ZERO));
    List<byte[]> pictures = new ArrayList<>();
    for (List<ByteBuffer> unit : gop) {
      DecodedPicture picture = decoder.decode(copies(unit), 0);
      if (picture != null) {
        pictures.add(bytes(picture.toFrame(0)));
      }
    }
    return pictures;
  }

  private static byte[] bytes(I420Frame frame) {
    byte[] all = new byte[frame.bytes()];
    ByteBuffer out = ByteBuffer.wrap(all);
    out.put(frame.yPlane()).put(frame.uPlane()).put(frame.vPlane());
    return all;
  }

  private static List<List<List<ByteBuffer>>> splitAtIdr(List<List<byte[]>> units) {
    List<List<List<ByteBuffer>>> split = new ArrayList<>();
    for (List<byte[]> unit : units) {
      boolean idr = unit.stream().anyMatch(nal -> nal.length > 0 && (nal[0] & 0x1F) == AccessUnitDecoder.NAL_IDR_SLICE);
      if (idr || split.isEmpty()) {
        split.add(new ArrayList<>());
      }
      split.get(split.size() - 1).add(AnnexB.buffers(unit));
    }
    return split;
  }

  /** JCodec unescapes in place, and the gateway's own decoder must see untouched bytes. */
  private static List<ByteBuffer> copies(List<ByteBuffer> unit) {
    List<ByteBuffer> out = new ArrayList<>(unit.size());
    for (ByteBuffer nal : unit) {
      ByteBuffer copy = ByteBuffer.allocate(nal.remaining());
      copy.put(nal.duplicate()).flip();
      out.add(copy);
    }
    return out;
  }
}
