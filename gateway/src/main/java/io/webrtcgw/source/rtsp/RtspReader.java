package io.webrtcgw.source.rtsp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what an RTSP server sends on its TCP connection: responses, {@code $}-interleaved RTP and
 * RTCP frames (RFC 2326 section 10.12) mixed with them, and now and then a request of the server's
 * own. Everything is bounded, so a broken or hostile server costs at most a little memory.
 */
final class RtspReader {
  static final int MAX_LINE = 8192;
  static final int MAX_HEADER_LINES = 128;
  static final int MAX_BODY = 1 << 20;
  /** Bytes of junk skipped between messages before the stream counts as broken. */
  static final int MAX_SKIP = 4096;

  /** Something the server sent. */
  sealed interface Message permits Response, Frame, ServerRequest {}

  record Response(RtspResponse response) implements Message {}

  /** An interleaved frame: RTP or RTCP on {@code channel}. */
  record Frame(int channel, byte[] payload) implements Message {}

  /** A request the server sent us (a keep-alive of its own, an ANNOUNCE...). */
  record ServerRequest(String method, int cseq) implements Message {}

  private final InputStream in;
  private final byte[] line = new byte[MAX_LINE];
  private long bytesRead;

  /** @param in a buffered stream: it is read a byte at a time between messages */
  RtspReader(InputStream in) {
    this.in = in;
  }

  /** Bytes consumed so far. */
  long bytesRead() {
    return bytesRead;
  }

  /**
   * The next message.
   *
   * @throws EOFException when the server closed the connection
   * @throws RtspProtocolException when it sent something that is not RTSP
   */
  Message read() throws IOException {
    int skipped = 0;
    while (true) {
      int first = readByte();
      if (first == '$') {
        int channel = readByte();
        int length = (readByte() << 8) | readByte();
        byte[] payload = new byte[length];
        readFully(payload);
        return new Frame(channel, payload);
      }
      if (first >= 'A' && first <= 'Z') {
        return readMessage(first);
      }
      // Some servers put stray line breaks between messages; anything more is tolerated only briefly.
      if (first != '\r' && first != '\n' && ++skipped > MAX_SKIP) {
        throw new RtspProtocolException("the server sent " + MAX_SKIP + " bytes that are neither RTSP nor RTP");
      }
    }
  }

  private Message readMessage(int first) throws IOException {
    String start = (char) first + readLine();
    List<Map.Entry<String, String>> headers = readHeaders();
    RtspHeaders parsed = RtspHeaders.of(headers);
    byte[] body = readBody(parsed);
    if (start.startsWith("RTSP/")) {
      String[] parts = start.split(" ", 3);
      if (parts.length < 2 || !parts[1].matches("\\d{3}")) {
        throw new RtspProtocolException("the server sent a malformed status line: " + printable(start));
      }
      return new Response(new RtspResponse(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", parsed, body));
    }
    String[] parts = start.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("RTSP/")) {
      throw new RtspProtocolException("the server sent a line that is not RTSP: " + printable(start));
    }
    String cseq = parsed.get("CSeq");
    int number = -1;
    if (cseq != null && cseq.trim().matches("\\d{1,9}")) {
      number = Integer.parseInt(cseq.trim());
    }
    return new ServerRequest(parts[0], number);
  }

  private List<Map.Entry<String, String>> readHeaders() throws IOException {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    while (true) {
      String text = readLine();
      if (text.isEmpty()) {
        return headers;
      }
      if ((text.charAt(0) == ' ' || text.charAt(0) == '\t') && !headers.isEmpty()) {
        Map.Entry<String, String> last = headers.remove(headers.size() - 1);
        headers.add(Map.entry(last.getKey(), last.getValue() + " " + text.trim()));
        continue;
      }
      int colon = text.indexOf(':');
      if (colon <= 0) {
        throw new RtspProtocolException("the server sent a malformed header line: " + printable(text));
      }
      if (headers.size() >= MAX_HEADER_LINES) {
        throw new RtspProtocolException("the server sent more than " + MAX_HEADER_LINES + " header lines");
      }
      headers.add(Map.entry(text.substring(0, colon).trim(), text.substring(colon + 1).trim()));
    }
  }

  private byte[] readBody(RtspHeaders headers) throws IOException {
    String length = headers.get("Content-Length");
    if (length == null) {
      return new byte[0];
    }
    int size;
    try {
      size = Integer.parseInt(length.trim());
    } catch (NumberFormatException e) {
      throw new RtspProtocolException("the server sent a malformed Content-Length: " + printable(length));
    }
    if (size < 0 || size > MAX_BODY) {
      throw new RtspProtocolException("the server announced a body of " + size + " bytes (at most " + MAX_BODY + ")");
    }
    byte[] body = new byte[size];
    readFully(body);
    return body;
  }

  /** One line without its CR LF (or bare LF), as UTF-8. */
  private String readLine() throws IOException {
    int n = 0;
    while (true) {
      int b = readByte();
      if (b == '\n') {
        break;
      }
      if (n == MAX_LINE) {
        throw new RtspProtocolException("the server sent a line longer than " + MAX_LINE + " bytes");
      }
      line[n++] = (byte) b;
    }
    if (n > 0 && line[n - 1] == '\r') {
      n--;
    }
    return new String(line, 0, n, StandardCharsets.UTF_8);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the server closed the connection");
    }
    bytesRead++;
    return b;
  }

  private void readFully(byte[] into) throws IOException {
    int done = 0;
    while (done < into.length) {
      int n = in.read(into, done, into.length - done);
      if (n < 0) {
        throw new EOFException("the server closed the connection");
      }
      done += n;
      bytesRead += n;
    }
  }

  /** At most 80 characters of server text, without control characters, for error messages. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      out.append(c < ' ' || c == 0x7F ? '?' : c);
    }
    return "'" + out + (text.length() > 80 ? "...'" : "'");
  }
}
