package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.file.TestClips;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's JCodec decoder does the same work as the gateway's, to the same result, on the
 * JPEGs JCodec can read.
 *
 * <p>It cannot read ffmpeg's colour right: ffmpeg writes one quantisation table for all three
 * components, and JCodec ignores the frame header's table selectors and takes chroma's from slot 1
 * (its built-in default), so chroma comes out scaled wrong; that is shown here too.
 */
class JCodecJpegDecoderTest {
  @TempDir
  Path dir;

  @Test
  void decodesABaseline420JpegLikeTheGatewaysDecoder() throws Exception {
    BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 480; y++) {
      for (int x = 0; x < 640; x++) {
        image.setRGB(x, y, (x * 255 / 639) << 16 | (y * 255 / 479) << 8 | (x + y) % 256);
      }
    }
    byte[] bytes = ImageIoJpegDecoderTest.encode(image, false);
    try (JCodecJpegDecoder decoder = new JCodecJpegDecoder(); ImageIoJpegDecoder reference = new ImageIoJpegDecoder()) {
      I420Frame jcodec = decoder.decode(bytes, 0, 0);
      I420Frame imageio = reference.decode(bytes, 0, 0);
      assertEquals(imageio.width(), jcodec.width());
      assertEquals(imageio.height(), jcodec.height());
      ImageIoJpegDecoderTest.Difference y = ImageIoJpegDecoderTest.Difference.of(imageio.y(), jcodec.y());
      ImageIoJpegDecoderTest.Difference u = ImageIoJpegDecoderTest.Difference.of(imageio.u(), jcodec.u());
      ImageIoJpegDecoderTest.Difference v = ImageIoJpegDecoderTest.Difference.of(imageio.v(), jcodec.v());
      assertTrue(y.mean() <= 1.0, "luma " + y);
      assertTrue(u.mean() <= 1.5 && v.mean() <= 1.5, "chroma " + u + " / " + v);
    }
  }

  @Test
  void getsFfmpegsChromaWrongAndRefusesOtherSamplings() throws Exception {
    Path jpeg = dir.resolve("ffmpeg.jpg");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", jpeg.toString());
    Path other = dir.resolve("444.jpg");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", "-pix_fmt", "yuvj444p", other.toString());
    byte[] bytes = Files.readAllBytes(jpeg);
    try (JCodecJpegDecoder decoder = new JCodecJpegDecoder(); ImageIoJpegDecoder reference = new ImageIoJpegDecoder()) {
      I420Frame jcodec = decoder.decode(bytes, 0, 0);
      I420Frame imageio = reference.decode(bytes, 0, 0);
      assertTrue(ImageIoJpegDecoderTest.Difference.of(imageio.y(), jcodec.y()).mean() <= 1.0, "luma is right");
      assertTrue(ImageIoJpegDecoderTest.Difference.of(imageio.u(), jcodec.u()).mean() > 10, "chroma is not");
      byte[] sampled444 = Files.readAllBytes(other);
      assertThrows(JpegException.class, () -> decoder.decode(sampled444, 0, 0));
    }
  }
}
