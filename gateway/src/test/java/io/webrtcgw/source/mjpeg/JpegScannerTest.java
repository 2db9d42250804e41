package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class JpegScannerTest {
  static byte[] jpeg(int width, int height, int seed) throws Exception {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x * 7 + seed) << 16 | (y * 5 + seed) << 8 | (x ^ y) * 3);
      }
    }
    return ImageIoJpegDecoderTest.encode(image, false);
  }

  /** A JPEG whose APP1 segment holds a whole thumbnail JPEG, with its own SOI and EOI. */
  static byte[] withThumbnail(byte[] main, byte[] thumbnail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(main, 0, 2);
    int length = 2 + 6 + thumbnail.length;
    out.write(0xFF);
    out.write(0xE1);
    out.write(length >> 8);
    out.write(length & 0xFF);
    out.writeBytes("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    out.writeBytes(thumbnail);
    out.write(main, 2, main.length - 2);
    return out.toByteArray();
  }

  private static int scanWhole(byte[] bytes) {
    return new JpegScanner().scan(bytes, 0, bytes.length);
  }

  @Test
  void findsTheEndOfAJpeg() throws Exception {
    byte[] jpeg = jpeg(64, 48, 1);
    byte[] followed = java.util.Arrays.copyOf(jpeg, jpeg.length + 20);
    assertEquals(jpeg.length, scanWhole(followed));
    assertEquals(JpegScanner.MORE, new JpegScanner().scan(jpeg, 0, jpeg.length - 1));
  }

  @Test
  void aThumbnailDoesNotEndThePicture() throws Exception {
    byte[] whole = withThumbnail(jpeg(64, 48, 2), jpeg(16, 16, 3));
    assertEquals(whole.length, scanWhole(whole));
  }

  @Test
  void resumesAsBytesArriveOneByOne() throws Exception {
    byte[] whole = withThumbnail(jpeg(40, 30, 4), jpeg(8, 8, 5));
    JpegScanner scanner = new JpegScanner();
    int found = JpegScanner.MORE;
    int available = 0;
    while (found == JpegScanner.MORE && available < whole.length) {
      available++;
      found = scanner.scan(whole, 0, available);
    }
    assertEquals(whole.length, found);
    assertEquals(whole.length, available, "not found before its last byte");
  }

  @Test
  void stuffingRestartMarkersAndFillBytesStayInsideTheScan() {
    byte[] bytes = {(byte) 0xFF, (byte) 0xD8,
        (byte) 0xFF, (byte) 0xDA, 0, 4, 1, 2,
        0x12, (byte) 0xFF, 0x00, 0x34, (byte) 0xFF, (byte) 0xD3, 0x56, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xD9, 0x77};
    assertEquals(bytes.length - 1, scanWhole(bytes));
  }

  @Test
  void offsetsWorkInsideALargerBuffer() throws Exception {
    byte[] jpeg = jpeg(32, 32, 6);
    byte[] buffer = new byte[jpeg.length + 100];
    System.arraycopy(jpeg, 0, buffer, 37, jpeg.length);
    assertEquals(jpeg.length, new JpegScanner().scan(buffer, 37, jpeg.length + 10));
  }

  @Test
  void saysWhenItIsNoJpeg() {
    assertEquals(JpegScanner.MALFORMED, scanWhole("--boundary".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    byte[] badSegment = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 1};
    assertEquals(JpegScanner.MALFORMED, scanWhole(badSegment));
    byte[] noMarker = {(byte) 0xFF, (byte) 0xD8, 0x12, 0x34};
    assertEquals(JpegScanner.MALFORMED, scanWhole(noMarker));
  }
}
