package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.file.TestClips;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * JPEG to I420: against a reference conversion computed here from a known picture, and against
 * ffmpeg's own decoding (to limited-range yuv420p) of JPEGs it made in every chroma sampling.
 */
class ImageIoJpegDecoderTest {
  @TempDir
  Path dir;
  private final ImageIoJpegDecoder decoder = new ImageIoJpegDecoder();

  @AfterEach
  void close() {
    decoder.close();
  }

  /** A smooth picture, so that JPEG's loss stays small and the colour maths shows. */
  private static BufferedImage gradient(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = 255 * x / (width - 1);
        int g = 255 * y / (height - 1);
        int b = 255 - (r + g) / 2;
        image.setRGB(x, y, r << 16 | g << 8 | b);
      }
    }
    return image;
  }

  static byte[] encode(BufferedImage image, boolean progressive) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(1.0f);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  @Test
  void matchesAReferenceConversionOfAKnownPicture() throws Exception {
    BufferedImage image = gradient(96, 64);
    I420Frame frame = decoder.decode(encode(image, false), 7, 11);
    assertEquals(96, frame.width());
    assertEquals(64, frame.height());
    assertEquals(7, frame.captureTimeMicros());
    assertEquals(11, frame.arrivalNanos());
    byte[][] expected = reference(image);
    Difference y = Difference.of(expected[0], frame.y());
    Difference u = Difference.of(expected[1], frame.u());
    Difference v = Difference.of(expected[2], frame.v());
    assertTrue(y.mean() <= 1.0 && y.max() <= 6, "luma " + y);
    assertTrue(u.mean() <= 1.5 && u.max() <= 8, "Cb " + u);
    assertTrue(v.mean() <= 1.5 && v.max() <= 8, "Cr " + v);
  }

  /** BT.601 limited range, computed in floating point from the RGB picture; chroma from 2x2 means. */
  private static byte[][] reference(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] y = new byte[w * h];
    byte[] u = new byte[w * h / 4];
    byte[] v = new byte[w * h / 4];
    for (int row = 0; row < h; row++) {
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, row);
        double r = rgb >> 16 & 0xFF;
        double g = rgb >> 8 & 0xFF;
        double b = rgb & 0xFF;
        y[row * w + x] = (byte) Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
      }
    }
    for (int row = 0; row < h / 2; row++) {
      for (int x = 0; x < w / 2; x++) {
        double r = 0;
        double g = 0;
        double b = 0;
        for (int d = 0; d < 4; d++) {
          int rgb = image.getRGB(2 * x + d % 2, 2 * row + d / 2);
          r += (rgb >> 16 & 0xFF) / 4.0;
          g += (rgb >> 8 & 0xFF) / 4.0;
          b += (rgb & 0xFF) / 4.0;
        }
        u[row * w / 2 + x] = (byte) Math.round(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255);
        v[row * w / 2 + x] = (byte) Math.round(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255);
      }
    }
    return new byte[][] {y, u, v};
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"yuvj420p, 640x480", "yuvj422p, 640x480", "yuvj444p, 640x480", "yuvj420p, 321x241", "yuvj422p, 479x271"})
  void matchesFfmpegInEverySampling(String pixelFormat, String size) throws Exception {
    Path jpeg = dir.resolve(pixelFormat + "-" + size + ".jpg");
    String[] wh = size.split("x");
    int width = Integer.parseInt(wh[0]);
    int height = Integer.parseInt(wh[1]);
    // testsrc2 rounds its size to even; scaling afterwards gives any size.
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x480", "-vf", "scale=" + width + ":" + height,
        "-frames:v", "1", "-pix_fmt", pixelFormat, "-q:v", "2", jpeg.toString());
    byte[] bytes = Files.readAllBytes(jpeg);
    JpegHeader header = JpegHeader.parse(bytes);
    String expectedSampling = switch (pixelFormat) {
      case "yuvj422p" -> "4:2:2";
      case "yuvj444p" -> "4:4:4";
      default -> "4:2:0";
    };
    assertEquals(expectedSampling, header.sampling(), header.toString());

    I420Frame frame = decoder.decode(bytes, 0, 0);
    assertEquals(width & ~1, frame.width(), "odd sizes lose their last column");
    assertEquals(height & ~1, frame.height(), "odd sizes lose their last row");

    Path raw = dir.resolve(pixelFormat + "-" + size + ".yuv");
    TestClips.ffmpeg("-i", jpeg.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p", raw.toString());
    byte[] reference = Files.readAllBytes(raw);
    int chromaWidth = (width + 1) / 2;
    int chromaHeight = (height + 1) / 2;
    Difference y = Difference.of(reference, 0, width, frame.y(), frame.width(), frame.height());
    Difference u = Difference.of(reference, width * height, chromaWidth, frame.u(), frame.width() / 2, frame.height() / 2);
    Difference v = Difference.of(reference, width * height + chromaWidth * chromaHeight, chromaWidth, frame.v(),
        frame.width() / 2, frame.height() / 2);
    // The two decoders' inverse DCTs differ by a level at most; chroma differs more at testsrc2's
    // hard colour edges, where libjpeg's upsampling and the 2x2 mean blur what ffmpeg copies
    // (measured: luma mean 0.01, chroma mean 0.5-1.6).
    assertTrue(y.mean() <= 0.5 && y.max() <= 3, pixelFormat + " luma " + y);
    assertTrue(u.mean() <= 2.0 && v.mean() <= 2.0, pixelFormat + " chroma " + u + " / " + v);
  }

  @Test
  void anyRasterLayoutConvertsAlike() throws Exception {
    int w = 6;
    int h = 4;
    byte[] packed = new byte[w * h * 3];
    byte[] padded = new byte[w * h * 4];
    for (int i = 0; i < w * h; i++) {
      for (int band = 0; band < 3; band++) {
        byte sample = (byte) (i * 37 + band * 91);
        packed[i * 3 + band] = sample;
        padded[i * 4 + 1 + band] = sample;
      }
    }
    java.awt.image.Raster fast = java.awt.image.Raster.createInterleavedRaster(
        new java.awt.image.DataBufferByte(packed, packed.length), w, h, w * 3, 3, new int[] {0, 1, 2}, null);
    java.awt.image.Raster general = java.awt.image.Raster.createInterleavedRaster(
        new java.awt.image.DataBufferByte(padded, padded.length), w, h, w * 4, 4, new int[] {1, 2, 3}, null);
    I420Frame a = ImageIoJpegDecoder.toI420(fast, JpegHeader.Colour.YCBCR, 0, 0);
    I420Frame b = ImageIoJpegDecoder.toI420(general, JpegHeader.Colour.YCBCR, 0, 0);
    assertArrayEquals(a.y(), b.y());
    assertArrayEquals(a.u(), b.u());
    assertArrayEquals(a.v(), b.v());
    assertEquals((byte) Math.round(16 + (packed[3] & 0xFF) * 219 / 255.0), a.y()[1]);
  }

  @Test
  void decodesGreyJpegs() throws Exception {
    BufferedImage grey = new BufferedImage(64, 32, BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < 64; x++) {
      for (int y = 0; y < 32; y++) {
        grey.getRaster().setSample(x, y, 0, x * 4);
      }
    }
    byte[] jpeg = encode(grey, false);
    assertEquals(JpegHeader.Colour.GRAY, JpegHeader.parse(jpeg).colour());
    I420Frame frame = decoder.decode(jpeg, 0, 0);
    for (int x = 0; x < 64; x += 9) {
      int expected = (int) Math.round(16 + x * 4 * 219 / 255.0);
      assertTrue(Math.abs((frame.y()[5 * 64 + x] & 0xFF) - expected) <= 2, "luma at x=" + x);
    }
    for (byte chroma : frame.u()) {
      assertEquals(128, chroma & 0xFF);
    }
  }

  @Test
  void decodesAdobeRgbJpegs() throws Exception {
    BufferedImage red = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 32; x++) {
      for (int y = 0; y < 16; y++) {
        red.setRGB(x, y, 0xFF0000);
      }
    }
    byte[] jpeg = adobeRgb(red);
    assertEquals(JpegHeader.Colour.RGB, JpegHeader.parse(jpeg).colour(), "the writer made an RGB JPEG");
    I420Frame frame = decoder.decode(jpeg, 0, 0);
    // BT.601 limited range of pure red: Y 81, Cb 90, Cr 240.
    assertTrue(Math.abs((frame.y()[100] & 0xFF) - 81) <= 3, "Y " + (frame.y()[100] & 0xFF));
    assertTrue(Math.abs((frame.u()[20] & 0xFF) - 90) <= 3, "Cb " + (frame.u()[20] & 0xFF));
    assertTrue(Math.abs((frame.v()[20] & 0xFF) - 240) <= 3, "Cr " + (frame.v()[20] & 0xFF));
  }

  @Test
  void decodesVerticallySubsampledJpegs() throws Exception {
    BufferedImage image = gradient(96, 64);
    byte[] jpeg = written(image, false, 1, 2);
    assertEquals("4:4:0", JpegHeader.parse(jpeg).sampling());
    I420Frame frame = decoder.decode(jpeg, 0, 0);
    byte[][] expected = reference(image);
    Difference y = Difference.of(expected[0], frame.y());
    Difference u = Difference.of(expected[1], frame.u());
    assertTrue(y.mean() <= 1.0 && u.mean() <= 1.5, "luma " + y + ", Cb " + u);
  }

  /** An Adobe JPEG without colour transform (RGB samples), as some cameras and editors write. */
  private static byte[] adobeRgb(BufferedImage image) throws IOException {
    return written(image, true, 1, 1);
  }

  /**
   * A JPEG written through the writer's metadata: luma sampled {@code h} by {@code v} against
   * chroma, and with {@code rgb} an Adobe segment saying the samples are RGB.
   */
  private static byte[] written(BufferedImage image, boolean rgb, int h, int v) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    javax.imageio.metadata.IIOMetadata metadata =
        writer.getDefaultImageMetadata(javax.imageio.ImageTypeSpecifier.createFromRenderedImage(image), param);
    String format = "javax_imageio_jpeg_image_1.0";
    javax.imageio.metadata.IIOMetadataNode root = (javax.imageio.metadata.IIOMetadataNode) metadata.getAsTree(format);
    if (rgb) {
      org.w3c.dom.Node variety = root.getElementsByTagName("JPEGvariety").item(0);
      while (variety.getFirstChild() != null) {
        variety.removeChild(variety.getFirstChild());
      }
      javax.imageio.metadata.IIOMetadataNode adobe = new javax.imageio.metadata.IIOMetadataNode("app14Adobe");
      adobe.setAttribute("transform", "0");
      root.getElementsByTagName("markerSequence").item(0).appendChild(adobe);
    }
    org.w3c.dom.NodeList components = root.getElementsByTagName("componentSpec");
    for (int i = 0; i < components.getLength(); i++) {
      javax.imageio.metadata.IIOMetadataNode component = (javax.imageio.metadata.IIOMetadataNode) components.item(i);
      component.setAttribute("HsamplingFactor", i == 0 ? String.valueOf(h) : "1");
      component.setAttribute("VsamplingFactor", i == 0 ? String.valueOf(v) : "1");
    }
    metadata.setFromTree(format, root);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, metadata), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  @Test
  void decodesProgressiveJpegs() throws Exception {
    BufferedImage image = gradient(128, 72);
    byte[] progressive = encode(image, true);
    assertTrue(JpegHeader.parse(progressive).progressive(), "the writer made a progressive JPEG");
    I420Frame fromProgressive = decoder.decode(progressive, 0, 0);
    I420Frame fromBaseline = decoder.decode(encode(image, false), 0, 0);
    assertTrue(Difference.of(fromBaseline.y(), fromProgressive.y()).mean() <= 1.0);
    assertTrue(Difference.of(fromBaseline.u(), fromProgressive.u()).mean() <= 1.0);
  }

  @Test
  void suppliesTheStandardHuffmanTablesWhenAFrameLeavesThemOut() throws Exception {
    Path jpeg = dir.resolve("standard-tables.jpg");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", "-huffman", "default",
        jpeg.toString());
    byte[] whole = Files.readAllBytes(jpeg);
    byte[] stripped = withoutHuffmanTables(whole);
    assertTrue(stripped.length < whole.length, "the test removed the tables");
    assertTrue(!JpegHeader.parse(stripped).huffmanTables());
    I420Frame expected = decoder.decode(whole, 0, 0);
    I420Frame actual = decoder.decode(stripped, 0, 0);
    assertArrayEquals(expected.y(), actual.y());
    assertArrayEquals(expected.u(), actual.u());
    assertArrayEquals(expected.v(), actual.v());
  }

  private static byte[] withoutHuffmanTables(byte[] jpeg) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    int pos = 2;
    while (true) {
      int marker = jpeg[pos + 1] & 0xFF;
      if (marker == 0xDA) {
        out.write(jpeg, pos, jpeg.length - pos);
        return out.toByteArray();
      }
      int length = (jpeg[pos + 2] & 0xFF) << 8 | jpeg[pos + 3] & 0xFF;
      if (marker != 0xC4) {
        out.write(jpeg, pos, 2 + length);
      }
      pos += 2 + length;
    }
  }

  @Test
  void refusesWhatItCannotDecodeSayingWhat() {
    byte[] notJpeg = "<html><body>login</body></html>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    JpegException text = assertThrows(JpegException.class, () -> decoder.decode(notJpeg, 0, 0));
    assertTrue(text.getMessage().contains("not a JPEG") && text.getMessage().contains("<html>"), text.getMessage());

    JpegException arithmetic = assertThrows(JpegException.class, () -> decoder.decode(header(0xC9, 8, 3), 0, 0));
    assertTrue(arithmetic.getMessage().contains("arithmetic"), arithmetic.getMessage());
    JpegException twelveBit = assertThrows(JpegException.class, () -> decoder.decode(header(0xC1, 12, 3), 0, 0));
    assertTrue(twelveBit.getMessage().contains("12-bit"), twelveBit.getMessage());
    JpegException cmyk = assertThrows(JpegException.class, () -> decoder.decode(header(0xC0, 8, 4), 0, 0));
    assertTrue(cmyk.getMessage().contains("4 colour components"), cmyk.getMessage());

    byte[] damaged = java.util.Arrays.copyOf(header(0xC0, 8, 3), 40);
    JpegException broken = assertThrows(JpegException.class, () -> decoder.decode(damaged, 0, 0));
    assertTrue(broken.getMessage().toLowerCase(Locale.ROOT).contains("jpeg"), broken.getMessage());
  }

  /** SOI, a frame header of the given type, and an empty scan header: enough for the header checks. */
  private static byte[] header(int sof, int precision, int components) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(sof);
    int length = 8 + 3 * components;
    out.write(length >> 8);
    out.write(length);
    out.write(precision);
    out.write(0);
    out.write(16);
    out.write(0);
    out.write(16);
    out.write(components);
    for (int i = 1; i <= components; i++) {
      out.write(i);
      out.write(0x11);
      out.write(0);
    }
    out.write(0xFF);
    out.write(0xDA);
    out.write(0);
    out.write(8);
    out.write(new byte[6], 0, 6);
    return out.toByteArray();
  }

  /** Mean and largest absolute difference of two sample planes. */
  record Difference(double mean, int max) {
    static Difference of(byte[] expected, byte[] actual) {
      return of(expected, 0, actual.length, actual, actual.length, 1);
    }

    /** {@code actual} (width x height, tightly packed) against the top-left of {@code expected} at {@code offset}. */
    static Difference of(byte[] expected, int offset, int expectedStride, byte[] actual, int width, int height) {
      long sum = 0;
      int max = 0;
      for (int row = 0; row < height; row++) {
        for (int x = 0; x < width; x++) {
          int d = Math.abs((expected[offset + row * expectedStride + x] & 0xFF) - (actual[row * width + x] & 0xFF));
          sum += d;
          max = Math.max(max, d);
        }
      }
      return new Difference((double) sum / (width * height), max);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "mean %.2f, max %d", mean, max);
    }
  }
}
