package io.webrtcgw.source.h264;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.file.TestClips;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access units as RTP delivers them decode like ffmpeg decodes them, across size changes. */
class AccessUnitDecoderTest {
  @TempDir static Path dir;

  @BeforeAll
  static void needsX264() {
    TestClips.assumeEncoder("libx264");
  }

  /** A raw H.264 stream of testsrc2 made by ffmpeg with {@code extra} encoder options. */
  private static byte[] stream(String name, int width, int height, int frames, String... extra) throws Exception {
    Path out = dir.resolve(name + ".h264");
    List<String> args = new ArrayList<>(List.of(
        "-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25", "-frames:v", String.valueOf(frames),
        "-c:v", "libx264", "-preset", "veryfast", "-threads", "1"));
    args.addAll(List.of(extra));
    args.addAll(List.of("-f", "h264", out.toString()));
    TestClips.ffmpeg(args.toArray(String[]::new));
    return Files.readAllBytes(out);
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
  void aNewSpsOfAnotherSizeStartsAFreshDecoder() throws Exception {
    // 426x240 is not a multiple of 16: the coded picture is cropped.
    byte[] large = stream("large", 426, 240, 10, "-profile:v", "main", "-bf", "0");
    byte[] small = stream("small", 160, 120, 10, "-profile:v", "baseline");
    byte[] both = new byte[large.length + small.length];
    System.arraycopy(large, 0, both, 0, large.length);
    System.arraycopy(small, 0, both, large.length, small.length);

    AccessUnitDecoder decoder = new AccessUnitDecoder(H264PictureDecoder::new);
    List<DecodedPicture> pictures = new ArrayList<>();
    long pts = 0;
    for (List<byte[]> unit : AnnexB.accessUnits(AnnexB.nalUnits(both))) {
      DecodedPicture picture = decoder.decode(AnnexB.buffers(unit), pts++);
      if (picture != null) {
        pictures.add(picture);
      }
    }
    assertEquals(20, pictures.size());
    for (int i = 0; i < 10; i++) {
      assertEquals(426, pictures.get(i).width());
      assertEquals(240, pictures.get(i).height());
      assertEquals(160, pictures.get(10 + i).width());
      assertEquals(120, pictures.get(10 + i).height());
    }
    assertEquals(160, decoder.sequence().width());
    assertArrayEquals(ffmpegFirstFrame(large, "large"), planes(pictures.get(0)), "the first picture, as ffmpeg decodes it");
    assertArrayEquals(ffmpegFirstFrame(small, "small"), planes(pictures.get(10)), "the first picture after the change");
  }

  @Test
  void parameterSetsFromOutOfBandDecodeAStreamWithoutThem() throws Exception {
    List<byte[]> units = AnnexB.nalUnits(stream("oob", 320, 240, 5, "-profile:v", "baseline"));
    List<ByteBuffer> parameterSets = new ArrayList<>();
    List<byte[]> slicesOnly = new ArrayList<>();
    for (byte[] unit : units) {
      int type = unit[0] & 0x1F;
      if (type == AccessUnitDecoder.NAL_SPS || type == AccessUnitDecoder.NAL_PPS) {
        parameterSets.add(ByteBuffer.wrap(unit));
      } else {
        slicesOnly.add(unit);
      }
    }
    AccessUnitDecoder decoder = new AccessUnitDecoder(H264PictureDecoder::new);
    List<List<byte[]>> accessUnits = AnnexB.accessUnits(slicesOnly);
    assertNull(decoder.decode(AnnexB.buffers(accessUnits.get(0)), 0), "no parameter sets yet: no picture");

    decoder.parameterSets(parameterSets);
    assertEquals(320, decoder.sequence().width());
    int decoded = 0;
    for (List<byte[]> unit : accessUnits) {
      if (decoder.decode(AnnexB.buffers(unit), decoded) != null) {
        decoded++;
      }
    }
    assertEquals(5, decoded);
  }

  @Test
  void refusesWhatJCodecCannotDecodeNamingIt() throws Exception {
    assertRefused(stream("high10", 160, 120, 2, "-pix_fmt", "yuv420p10le"), "High 10");
    assertRefused(stream("422", 160, 120, 2, "-pix_fmt", "yuv422p"), "High 4:2:2");
    assertRefused(stream("interlaced", 160, 120, 2, "-flags", "+ildct+ilme"), "interlaced");
  }

  private static void assertRefused(byte[] stream, String what) {
    AccessUnitDecoder decoder = new AccessUnitDecoder(H264PictureDecoder::new);
    List<List<byte[]>> units = AnnexB.accessUnits(AnnexB.nalUnits(stream));
    UnsupportedStreamException e = assertThrows(UnsupportedStreamException.class, () -> {
      for (List<byte[]> unit : units) {
        decoder.decode(AnnexB.buffers(unit), 0);
      }
    });
    assertTrue(e.getMessage().contains(what), e.getMessage());
  }

  @Test
  void sequenceParametersNameTheSizeProfileAndReorderDepth() throws Exception {
    List<byte[]> units = AnnexB.nalUnits(stream("bframes", 854, 480, 4, "-profile:v", "high", "-bf", "2"));
    byte[] sps = units.stream().filter(u -> (u[0] & 0x1F) == AccessUnitDecoder.NAL_SPS).findFirst().orElseThrow();
    SequenceParameters parameters = SequenceParameters.read(ByteBuffer.wrap(sps, 1, sps.length - 1).slice());
    assertNotNull(parameters);
    assertEquals("High", parameters.profile());
    assertEquals(864, parameters.codedWidth());
    assertEquals(854, parameters.width());
    assertEquals(480, parameters.height());
    assertTrue(parameters.decodable());
    assertTrue(parameters.reorderDepth() >= 1, "x264 states its B-frame reorder depth: " + parameters.reorderDepth());
  }
}
