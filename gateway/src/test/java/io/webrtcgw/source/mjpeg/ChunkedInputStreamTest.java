package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedInputStreamTest {
  private static InputStream chunked(String wire) {
    return new ChunkedInputStream(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void decodesChunksWithExtensionsAndTrailers() throws IOException {
    InputStream in = chunked("5\r\nhello\r\n7;name=value\r\n, world\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT");
    assertEquals("hello, world0123456789", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    assertEquals(-1, in.read(), "the body ends after the last chunk");
  }

  @Test
  void leavesTheBytesAfterTheBodyUnread() throws IOException {
    ByteArrayInputStream wire = new ByteArrayInputStream("3\r\nabc\r\n0\r\n\r\nNEXT".getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = new ChunkedInputStream(wire);
    assertArrayEquals("abc".getBytes(StandardCharsets.ISO_8859_1), in.readAllBytes());
    assertEquals("NEXT", new String(wire.readAllBytes(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void forgivesBareLineFeedsAndUpperCaseSizes() throws IOException {
    assertEquals("0123456789ab", new String(chunked("C\n0123456789ab\n0\n\n").readAllBytes(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void readsByteByByteAcrossChunks() throws IOException {
    InputStream in = chunked("2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
    StringBuilder out = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      out.append((char) b);
    }
    assertEquals("abc", out.toString());
  }

  @Test
  void refusesMalformedChunksSayingWhat() {
    IOException size = assertThrows(IOException.class, () -> chunked("zz\r\nabc\r\n").readAllBytes());
    assertTrue(size.getMessage().contains("bad chunk size 'zz'"), size.getMessage());
    IOException crlf = assertThrows(IOException.class, () -> chunked("3\r\nabcX\r\n0\r\n\r\n").readAllBytes());
    assertTrue(crlf.getMessage().contains("CRLF"), crlf.getMessage());
    assertThrows(EOFException.class, () -> chunked("10\r\nshort").readAllBytes());
    assertThrows(EOFException.class, () -> chunked("3\r\nabc\r\n").readAllBytes());
    IOException huge = assertThrows(IOException.class, () -> chunked("1234567890123456\r\n").readAllBytes());
    assertTrue(huge.getMessage().contains("bad chunk size"), huge.getMessage());
  }
}
