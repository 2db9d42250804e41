package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RTSP messages and interleaved frames on one stream, as real servers send them. */
class RtspReaderTest {
  private static RtspReader reader(byte[] bytes) {
    return new RtspReader(new ByteArrayInputStream(bytes));
  }

  private static byte[] frame(int channel, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('$');
    out.write(channel);
    out.write(payload.length >> 8);
    out.write(payload.length & 0xFF);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  @Test
  void readsGStreamersAnswersWithFramesBetweenThem() throws IOException {
    List<String> messages = Captures.serverMessages("gst-conversation.txt");
    byte[] rtp = Captures.packets("gst-stap-fua.hex").get(0);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.writeBytes(messages.get(0).getBytes(StandardCharsets.UTF_8));
    stream.writeBytes(frame(0, rtp));
    stream.writeBytes(frame(1, new byte[0]));
    stream.writeBytes(messages.get(1).getBytes(StandardCharsets.UTF_8));
    stream.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    stream.writeBytes(messages.get(2).getBytes(StandardCharsets.UTF_8));
    RtspReader reader = reader(stream.toByteArray());

    RtspResponse options = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals(200, options.status());
    assertEquals(1, options.cseq());
    assertTrue(options.header("public").contains("GET_PARAMETER"));
    RtspReader.Frame first = assertInstanceOf(RtspReader.Frame.class, reader.read());
    assertEquals(0, first.channel());
    assertArrayEquals(rtp, first.payload());
    assertEquals(0, assertInstanceOf(RtspReader.Frame.class, reader.read()).payload().length);
    RtspResponse describe = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals(2, describe.cseq());
    assertEquals("rtsp://127.0.0.1:18556/cam/", describe.header("Content-Base"));
    assertEquals(526, describe.body().length);
    assertTrue(describe.bodyText().contains("a=rtpmap:96 H264/90000"));
    RtspResponse setup = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals("COuOuDS4Erjb7Dq5", setup.header("Session"));
    assertThrows(EOFException.class, reader::read);
  }

  @Test
  void readsVlcsAnswersWhoseCseqHeaderIsSpelledOtherwise() throws IOException {
    List<String> messages = Captures.serverMessages("vlc-conversation.txt");
    RtspReader reader = reader(String.join("", messages).getBytes(StandardCharsets.UTF_8));
    RtspResponse options = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals(1, options.cseq(), "VLC writes 'Cseq'");
    RtspResponse describe = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertTrue(describe.bodyText().contains("trackID=0"));
    RtspResponse refused = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals(461, refused.status());
    assertEquals("461 Unsupported transport", refused.statusLine());
    RtspResponse setup = assertInstanceOf(RtspReader.Response.class, reader.read()).response();
    assertEquals("ce43b44da875eef9;timeout=60", setup.header("Session"));
  }

  @Test
  void foldedHeadersAndBareLineFeeds() throws IOException {
    String text = "RTSP/1.0 401 Unauthorized\nCSeq: 7\nWWW-Authenticate: Digest realm=\"cam\",\n"
        + "  nonce=\"abc\"\nWWW-Authenticate: Basic realm=\"cam\"\n\n";
    RtspResponse response = assertInstanceOf(RtspReader.Response.class,
        reader(text.getBytes(StandardCharsets.US_ASCII)).read()).response();
    assertEquals(401, response.status());
    assertEquals(List.of("Digest realm=\"cam\", nonce=\"abc\"", "Basic realm=\"cam\""),
        response.headers().all("www-authenticate"));
  }

  @Test
  void aRequestFromTheServerIsReadWithItsCseq() throws IOException {
    String text = "GET_PARAMETER rtsp://127.0.0.1/cam RTSP/1.0\r\nCSeq: 42\r\nContent-Length: 4\r\n\r\nping";
    RtspReader.ServerRequest request = assertInstanceOf(RtspReader.ServerRequest.class,
        reader(text.getBytes(StandardCharsets.US_ASCII)).read());
    assertEquals("GET_PARAMETER", request.method());
    assertEquals(42, request.cseq());
  }

  @Test
  void junkAndOversizedMessagesAreRefusedWithAReason() {
    byte[] junk = new byte[RtspReader.MAX_SKIP + 10];
    java.util.Arrays.fill(junk, (byte) '#');
    assertThrows(RtspProtocolException.class, () -> reader(junk).read());
    assertThrows(RtspProtocolException.class, () -> reader("RTSP/1.0 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).read());
    assertThrows(RtspProtocolException.class,
        () -> reader("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).read());
    assertThrows(RtspProtocolException.class, () -> reader(
        "RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).read());
    assertThrows(RtspProtocolException.class, () -> reader(
        "RTSP/1.0 200 OK\r\nno colon here\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).read());
    byte[] longLine = ("RTSP/1.0 200 " + "x".repeat(RtspReader.MAX_LINE)).getBytes(StandardCharsets.US_ASCII);
    RtspProtocolException e = assertThrows(RtspProtocolException.class, () -> reader(longLine).read());
    assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    assertThrows(EOFException.class, () -> reader(new byte[] {'$', 0, 0, 10, 1, 2}).read(), "a frame cut short");
  }

  @Test
  void requestsEncodeWithoutLineBreaksInValues() {
    RtspRequest request = RtspRequest.of("SETUP", RtspUrl.parse("rtsp://u:p@h/cam/stream=0"),
        "Transport", "RTP/AVP/TCP;unicast;interleaved=0-1", "X-Evil", "a\r\nInjected: yes");
    String text = new String(request.encode(), StandardCharsets.UTF_8);
    assertEquals("SETUP rtsp://h/cam/stream=0 RTSP/1.0\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
        + "X-Evil: a  Injected: yes\r\n\r\n", text);
  }
}
