package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {
  private static ResponseHead read(String wire) throws IOException {
    return ResponseHead.read(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void readsStatusAndHeadersWithoutRegardToCase() throws IOException {
    ResponseHead head = read("HTTP/1.0 200 OK\r\ncontent-type: multipart/x-mixed-replace; boundary=\"--myboundary\"\r\n"
        + "WWW-Authenticate: Digest realm=\"a\"\r\nWww-Authenticate: Basic realm=\"a\"\r\n\r\nbody");
    assertEquals(200, head.status());
    assertEquals("OK", head.reason());
    assertEquals("multipart/x-mixed-replace", head.mediaType());
    assertEquals("--myboundary", ResponseHead.parameter(head.header("Content-Type"), "boundary"));
    assertEquals(List.of("Digest realm=\"a\"", "Basic realm=\"a\""), head.headers("www-authenticate"));
    assertFalse(head.keepAlive(), "HTTP/1.0 without keep-alive");
  }

  @Test
  void skipsInterimAnswersAndJoinsFoldedLines() throws IOException {
    ResponseHead head = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nX-Long: a\r\n  b\r\n"
        + "Connection: close\r\n\r\n");
    assertEquals(404, head.status());
    assertEquals("a b", head.header("x-long"));
    assertFalse(head.keepAlive());
    assertTrue(read("HTTP/1.1 200 OK\n\n").keepAlive(), "bare LF ends lines too; 1.1 keeps the connection");
  }

  @Test
  void parametersAreFoundWhateverTheirCase() {
    assertEquals("frame", ResponseHead.parameter("multipart/x-mixed-replace;Boundary=frame;charset=x", "boundary"));
    assertNull(ResponseHead.parameter("multipart/x-mixed-replace", "boundary"));
    assertEquals("image/jpeg", ResponseHead.mediaType(" Image/JPEG ; q=1"));
    assertEquals("", ResponseHead.mediaType(null));
  }

  @Test
  void refusesWhatIsNotHttp() {
    IOException html = assertThrows(IOException.class, () -> read("<html>\r\n"));
    assertTrue(html.getMessage().contains("not HTTP") && html.getMessage().contains("<html>"), html.getMessage());
    assertThrows(EOFException.class, () -> read(""));
    assertThrows(EOFException.class, () -> read("HTTP/1.1 200 OK\r\nX: y\r\n"));
    IOException longLine = assertThrows(IOException.class, () -> read("HTTP/1.1 200 OK\r\nX: " + "a".repeat(9000) + "\r\n\r\n"));
    assertTrue(longLine.getMessage().contains("longer than"), longLine.getMessage());
  }
}
