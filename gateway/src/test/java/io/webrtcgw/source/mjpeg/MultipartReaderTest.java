package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.mjpeg.MultipartReader.BrokenStreamException;
import io.webrtcgw.source.mjpeg.MultipartReader.Part;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multipart parsing on bytes captured from ffmpeg's mpjpeg muxer and on hand-made camera quirks. */
class MultipartReaderTest {
  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] join(Object... pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object piece : pieces) {
      out.writeBytes(piece instanceof byte[] bytes ? bytes : ascii(piece.toString()));
    }
    return out.toByteArray();
  }

  private static List<Part> readAll(MultipartReader reader) throws IOException {
    List<Part> parts = new ArrayList<>();
    Part part;
    while ((part = reader.next()) != null) {
      parts.add(part);
    }
    return parts;
  }

  private static List<Part> readAll(byte[] stream, String boundary) throws IOException {
    return readAll(new MultipartReader(new ByteArrayInputStream(stream), boundary));
  }

  @Test
  void readsFfmpegsMpjpegAsCaptured() throws Exception {
    byte[] capture;
    try (InputStream in = MultipartReaderTest.class.getResourceAsStream("/mjpeg/ffmpeg-mpjpeg.http")) {
      assertNotNull(in, "the capture is a test resource");
      capture = in.readAllBytes();
    }
    InputStream wire = new ByteArrayInputStream(capture);
    ResponseHead head = ResponseHead.read(wire);
    assertEquals("application/octet-stream", head.mediaType(), "ffmpeg's listen mode names no multipart type");
    MultipartReader reader = new MultipartReader(new ChunkedInputStream(wire), null);
    List<Part> parts = readAll(reader);
    assertEquals("ffmpeg", reader.boundary(), "learnt from the first line");
    assertEquals(6, parts.size());
    try (ImageIoJpegDecoder decoder = new ImageIoJpegDecoder()) {
      for (Part part : parts) {
        assertEquals("image/jpeg", part.contentType());
        assertEquals(Integer.parseInt(part.headers().get("content-length")), part.body().length);
        I420Frame frame = decoder.decode(part.body(), 0, 0);
        assertEquals(160, frame.width());
        assertEquals(120, frame.height());
      }
    }
  }

  @Test
  void forgivesTheCommonCameraQuirks() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 1);
    byte[] b = JpegScannerTest.jpeg(48, 32, 2);
    byte[] c = JpegScannerTest.withThumbnail(JpegScannerTest.jpeg(40, 40, 3), JpegScannerTest.jpeg(8, 8, 4));
    byte[] stream = join(
        "preamble text the camera sends first\r\n",
        "--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: " + a.length + "\r\nX-Timestamp: 1.5\r\n\r\n", a,
        // no CRLF before the boundary, and no headers at all
        "--myboundary\r\n\r\n", b,
        "\r\n--myboundary \r\nContent-Type: image/jpeg\r\n", c,
        "\r\n--myboundary\r\nContent-Type: text/plain\r\n\r\nnot a picture\r\n",
        "--myboundary--\r\nignored after the close");
    // The parameter names its leading dashes, as many cameras write it.
    List<Part> parts = readAll(stream, "--myboundary");
    assertEquals(4, parts.size());
    assertArrayEquals(a, parts.get(0).body());
    assertEquals("1.5", parts.get(0).headers().get("x-timestamp"));
    assertArrayEquals(b, parts.get(1).body(), "framed by the JPEG's end");
    assertArrayEquals(c, parts.get(2).body(), "a thumbnail inside does not end it");
    assertEquals("not a picture", new String(parts.get(3).body(), StandardCharsets.ISO_8859_1));
    assertEquals("text/plain", parts.get(3).contentType());
    List<Part> undashed = readAll(stream, "myboundary");
    assertEquals(4, undashed.size(), "the same without dashes in the parameter");
    assertArrayEquals(c, undashed.get(2).body());
  }

  @Test
  void aWrongContentLengthIsNoticedAndNoLongerTrusted() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 5);
    byte[] b = JpegScannerTest.jpeg(32, 24, 6);
    byte[] c = JpegScannerTest.jpeg(32, 24, 7);
    byte[] stream = join(
        "--b\r\nContent-Length: " + (a.length - 10) + "\r\n\r\n", a,
        "\r\n--b\r\nContent-Length: " + (b.length + 3) + "\r\n\r\n", b,
        "\r\n--b\r\nContent-Length: 5\r\n\r\n", c, "\r\n");
    List<Part> parts = readAll(stream, "b");
    assertEquals(3, parts.size());
    assertEquals(a.length - 10, parts.get(0).body().length, "the first wrong length cannot be known yet");
    assertArrayEquals(b, parts.get(1).body(), "after it, parts end where their JPEG does");
    assertArrayEquals(c, parts.get(2).body());
  }

  @Test
  void handsAPartOnWithoutWaitingForTheNextBoundary() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 8);
    byte[] withLength = join("--b\r\nContent-Length: " + a.length + "\r\n\r\n", a);
    assertArrayEquals(a, new MultipartReader(new ThenFail(withLength), "b").next().body());
    byte[] withoutLength = join("--b\r\nContent-Type: image/jpeg\r\n\r\n", a);
    assertArrayEquals(a, new MultipartReader(new ThenFail(withoutLength), "b").next().body());
  }

  @Test
  void readsTheSameWhenBytesTrickleInOneAtATime() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 9);
    byte[] b = JpegScannerTest.jpeg(16, 16, 10);
    byte[] stream = join("--f\r\nContent-Length: " + a.length + "\r\n\r\n", a, "\r\n--f\r\n\r\n", b, "\r\n--f\r\n\r\nplain\r\n--f--");
    List<Part> parts = readAll(new MultipartReader(new Trickle(stream), "f"));
    assertEquals(3, parts.size());
    assertArrayEquals(a, parts.get(0).body());
    assertArrayEquals(b, parts.get(1).body());
    assertEquals("plain", new String(parts.get(2).body(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void aBoundaryThatDoesNotMatchTheDeclaredOneIsBroken() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 12);
    byte[] stream = join("--other\r\nContent-Length: " + a.length + "\r\n\r\n", a, "\r\n--other\r\n");
    BrokenStreamException e = assertThrows(BrokenStreamException.class, () -> readAll(stream, "frame"));
    assertEquals("no boundary '--frame' where the stream's parts begin; its boundary lines are '--other'", e.getMessage());
  }

  @Test
  void anotherBoundaryMidStreamIsBrokenAtOnce() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 14);
    byte[] stream = join("--b\r\nContent-Length: " + a.length + "\r\n\r\n", a, "\r\n--changed\r\n\r\n", a);
    MultipartReader reader = new MultipartReader(new ByteArrayInputStream(stream), "b");
    assertArrayEquals(a, reader.next().body());
    BrokenStreamException e = assertThrows(BrokenStreamException.class, reader::next);
    assertEquals("broken boundary: expected '--b' after part 1, found '--changed'", e.getMessage());
  }

  @Test
  void garbageWhereABoundaryMustBeIsBroken() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 13);
    byte[] stream = join("--b\r\nContent-Length: " + a.length + "\r\n\r\n", a, "XYZ", new byte[70_000]);
    BrokenStreamException e = assertThrows(BrokenStreamException.class, () -> readAll(stream, "b"));
    assertTrue(e.getMessage().contains("broken boundary: no '--b' after part 1 (found 'XYZ"), e.getMessage());
  }

  @Test
  void aPartLargerThanTheBoundIsRefusedBeforeItEatsMemory() {
    byte[] declared = ascii("--b\r\nContent-Length: 17000000\r\n\r\n");
    BrokenStreamException big = assertThrows(BrokenStreamException.class,
        () -> new MultipartReader(new ByteArrayInputStream(declared), "b").next());
    assertTrue(big.getMessage().contains("17000000 bytes, more than the 16 MB"), big.getMessage());

    InputStream endless = new InputStream() {
      private final byte[] head = ascii("--b\r\nContent-Type: application/octet-stream\r\n\r\n");
      private long position;

      @Override
      public int read() {
        return position < head.length ? head[(int) position++] : (int) (++position % 200);
      }

      @Override
      public int read(byte[] buffer, int offset, int length) {
        int n = Math.min(length, 65536);
        for (int i = 0; i < n; i++) {
          buffer[offset + i] = (byte) read();
        }
        return n;
      }
    };
    BrokenStreamException grown = assertThrows(BrokenStreamException.class, () -> new MultipartReader(endless, "b").next());
    assertTrue(grown.getMessage().contains("grew past 16 MB without a boundary '--b'"), grown.getMessage());
  }

  @Test
  void endsCleanlyOrSaysWhereItWasCut() throws Exception {
    byte[] a = JpegScannerTest.jpeg(32, 24, 11);
    assertNull(new MultipartReader(new ByteArrayInputStream(new byte[0]), "b").next());
    assertEquals(1, readAll(join("--b\r\nContent-Length: " + a.length + "\r\n\r\n", a, "\r\n--b\r\n"), "b").size());
    byte[] cut = join("--b\r\nContent-Length: " + a.length + "\r\n\r\n", java.util.Arrays.copyOf(a, 100));
    EOFException e = assertThrows(EOFException.class, () -> readAll(cut, "b"));
    assertTrue(e.getMessage().contains("inside part 1"), e.getMessage());
  }

  /** Serves its bytes, then fails any further read: a part must be handed on without one. */
  private static final class ThenFail extends InputStream {
    private final ByteArrayInputStream bytes;

    ThenFail(byte[] data) {
      bytes = new ByteArrayInputStream(data);
    }

    @Override
    public int read() throws IOException {
      int b = bytes.read();
      if (b < 0) {
        throw new IOException("read past what the camera has sent so far");
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = bytes.read(buffer, offset, length);
      if (n < 0) {
        throw new IOException("read past what the camera has sent so far");
      }
      return n;
    }
  }

  /** One byte per read. */
  private static final class Trickle extends InputStream {
    private final ByteArrayInputStream bytes;

    Trickle(byte[] data) {
      bytes = new ByteArrayInputStream(data);
    }

    @Override
    public int read() {
      return bytes.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      return length == 0 ? 0 : bytes.read(buffer, offset, 1);
    }
  }
}
