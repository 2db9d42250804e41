package io.webrtcgw.source.h264;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.testing.Await;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a live stream needs of a decoder process: parameter sets that come only in band, a new SPS
 * of another size mid-stream, and, after a decode that never finishes ended its process, the next
 * key frame decoding in a fresh one from the same {@link StreamDecoder}.
 */
class DecoderSandboxTest {
  /** JCodec never returns from this clip's fourth frame (see resources/h264/README.md). */
  private static final Path SPINS = Path.of(System.getProperty("gateway.projectRoot", ".."),
      "gateway/src/test/resources/h264/jcodec-spins.mp4");

  @TempDir static Path dir;
  private static DecoderSandbox sandbox;

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

  private static StreamDecoder.Spec inBandOnly(String name, Duration budget) {
    return new StreamDecoder.Spec(name, Rotation.NONE, List.of(), List.of(), budget);
  }

  private static byte[] stream(String name, int width, int height, int frames, String... extra) {
    Path out = dir.resolve(name + ".h264");
    List<String> args = new ArrayList<>(List.of(
        "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25", "-frames:v", String.valueOf(frames),
        "-c:v", "libx264", "-preset", "veryfast", "-threads", "1"));
    args.addAll(List.of(extra));
    args.addAll(List.of("-f", "h264", out.toString()));
    TestClips.ffmpeg(args.toArray(String[]::new));
    try {
      return Files.readAllBytes(out);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] ffmpegFirstFrame(byte[] stream, String name) throws Exception {
    Path in = dir.resolve(name + "-in.h264");
    Files.write(in, stream);
    Path raw = dir.resolve(name + ".yuv");
    TestClips.ffmpeg("-i", in.toString(), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw.toString());
    return Files.readAllBytes(raw);
  }

  private static byte[] planes(DecodedPicture picture) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(picture.y());
    out.writeBytes(picture.u());
    out.writeBytes(picture.v());
    return out.toByteArray();
  }

  @Test
  void parameterSetsInBandAndANewSizeDecodeInTheProcess() throws Exception {
    byte[] large = stream("large", 320, 240, 8, "-profile:v", "main", "-bf", "0");
    byte[] small = stream("small", 176, 144, 8, "-profile:v", "baseline");
    byte[] both = new byte[large.length + small.length];
    System.arraycopy(large, 0, both, 0, large.length);
    System.arraycopy(small, 0, both, large.length, small.length);
    List<DecodedPicture> pictures = new ArrayList<>();
    try (StreamDecoder decoder = sandbox.open(inBandOnly("size-change", Duration.ofSeconds(10)))) {
      long pts = 0;
      for (List<byte[]> unit : AnnexB.accessUnits(AnnexB.nalUnits(both))) {
        DecodedPicture picture = decoder.decode(AnnexB.buffers(unit), pts++);
        if (picture != null) {
          pictures.add(picture);
        }
      }
    }
    assertEquals(16, pictures.size(), "every picture of both streams");
    for (int i = 0; i < 8; i++) {
      assertEquals(320, pictures.get(i).width());
      assertEquals(240, pictures.get(i).height());
      assertEquals(176, pictures.get(8 + i).width());
      assertEquals(144, pictures.get(8 + i).height());
      assertEquals(8 + i, pictures.get(8 + i).pts(), "each picture keeps its own time");
    }
    assertArrayEquals(ffmpegFirstFrame(large, "large"), planes(pictures.get(0)), "the first picture, as ffmpeg decodes it");
    assertArrayEquals(ffmpegFirstFrame(small, "small"), planes(pictures.get(8)), "the first picture after the change");
  }

  @Test
  void afterADecodeThatNeverEndsTheNextKeyFrameDecodesInAFreshProcess() throws Exception {
    Path raw = dir.resolve("spins.h264");
    TestClips.ffmpeg("-i", SPINS.toString(), "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", raw.toString());
    List<List<byte[]>> units = AnnexB.accessUnits(AnnexB.nalUnits(Files.readAllBytes(raw)));
    // The file source's budget: a decoder process that is still starting must fit in it.
    try (StreamDecoder decoder = sandbox.open(inBandOnly("spins", Duration.ofSeconds(3)))) {
      for (int i = 0; i < 3; i++) {
        assertNotNull(decoder.decode(AnnexB.buffers(units.get(i)), i), "picture " + i);
      }
      long began = System.nanoTime();
      assertThrows(DecodeException.Overrun.class, () -> decoder.decode(AnnexB.buffers(units.get(3)), 3));
      long tookMillis = (System.nanoTime() - began) / 1_000_000;
      assertTrue(tookMillis >= 2950 && tookMillis < 6000, "given up after its 3 s budget, not " + tookMillis + " ms");
      // The key frame (its parameter sets in band, as a camera that repeats them sends it) starts over.
      DecodedPicture again = decoder.decode(AnnexB.buffers(units.get(0)), 12);
      assertNotNull(again, "the key frame decodes in the next process");
      assertEquals(160, again.width());
      assertEquals(12, again.pts());
      assertNotNull(decoder.decode(AnnexB.buffers(units.get(1)), 13), "and the picture after it");
    }
    Await.until(() -> "only the spare decoder process is left, have " + sandbox.processes(),
        () -> sandbox.processes() == 1, Duration.ofSeconds(5));
  }
}
