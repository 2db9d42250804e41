package io.webrtcgw.source.mjpeg;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the parts of a {@code multipart/x-mixed-replace} body one at a time, as an MJPEG camera
 * sends them, and hands each on as soon as its last byte is in.
 *
 * <p>Cameras bend the format, and these bends are forgiven: a boundary parameter with or without
 * its leading {@code --} (or quoted, or missing: then the first {@code --} line names it); no CRLF
 * before a boundary; any extra part headers, or none, or no blank line before the picture; a
 * part without {@code Content-Length} (its end is found from the JPEG's own structure, or else at
 * the next boundary); a wrong {@code Content-Length} (noticed at the next boundary, after which
 * the connection's lengths are no longer trusted).
 *
 * <p>What cannot be forgiven fails with a {@link BrokenStreamException} that says what was found:
 * no boundary where one must be, or a part larger than {@link #MAX_PART} bytes, so that a broken
 * boundary never eats memory.
 */
public final class MultipartReader {
  /** Largest part accepted. */
  public static final int MAX_PART = 16 * 1024 * 1024;
  /** Most bytes searched for a boundary before the first part or after a part that ended early. */
  static final int MAX_GAP = 64 * 1024;
  private static final int MAX_HEADERS = 16 * 1024;

  private final InputStream in;
  private byte[] core;
  private byte[] buffer = new byte[64 * 1024];
  private int start;
  private int end;
  private int parts;
  private boolean trustLength = true;
  private boolean eof;

  /** One part: its headers (names in any case) and its body. */
  public record Part(Map<String, String> headers, byte[] body, long arrivalNanos) {
    public String contentType() {
      return ResponseHead.mediaType(headers.get("Content-Type"));
    }
  }

  /** The stream breaks the multipart rules beyond what is forgiven. */
  public static final class BrokenStreamException extends IOException {
    private static final long serialVersionUID = 1L;

    public BrokenStreamException(String message) {
      super(message);
    }
  }

  /**
   * @param boundary the {@code boundary} parameter of the answer's {@code Content-Type}, or null
   *     when it has none
   */
  public MultipartReader(InputStream in, String boundary) {
    this.in = in;
    String trimmed = boundary == null ? "" : boundary.trim();
    int dashes = 0;
    while (dashes < trimmed.length() && trimmed.charAt(dashes) == '-') {
      dashes++;
    }
    this.core = trimmed.length() > dashes ? trimmed.substring(dashes).getBytes(StandardCharsets.ISO_8859_1) : null;
  }

  /** The boundary without its leading dashes, as declared or as learnt from the stream; null before. */
  public String boundary() {
    return core == null ? null : new String(core, StandardCharsets.ISO_8859_1);
  }

  /** Parts read so far. */
  public int parts() {
    return parts;
  }

  /**
   * The next part, or null when the stream ends cleanly (a closing boundary, or the connection
   * closing between parts).
   */
  public Part next() throws IOException {
    if (!toBoundary() || !ensure(1)) {
      return null;
    }
    Map<String, String> headers = readHeaders();
    int declared = declaredLength(headers);
    byte[] body;
    if (declared >= 0 && trustLength) {
      body = readExactly(declared);
    } else {
      body = readUntilEnd();
    }
    parts++;
    return new Part(headers, body, System.nanoTime());
  }

  /**
   * Moves past the next boundary line. False at a closing boundary, or at the end of the stream
   * where a part could end.
   */
  private boolean toBoundary() throws IOException {
    if (parts == 0) {
      int at = find(0, MAX_GAP, true);
      if (at < 0) {
        if (end == start) {
          return false;
        }
        throw new BrokenStreamException(core == null
            ? "no multipart boundary ('--' line) in the first " + (end - start) + " bytes; the stream starts with '"
                + preview(start) + "'"
            : "no boundary '--" + boundary() + "' in the first " + (end - start) + " bytes; the stream starts with '"
                + preview(start) + "'");
      }
      start += at;
    } else {
      skipWhitespace();
      if (end == start && !fill()) {
        return false;
      }
      if (!atBoundary()) {
        String found = preview(start);
        if (ensure(3) && buffer[start] == '-' && buffer[start + 1] == '-' && buffer[start + 2] != '-') {
          throw new BrokenStreamException("broken boundary: expected '--" + boundary() + "' after part " + parts
              + ", found '" + line(start) + "'");
        }
        int at = find(0, MAX_GAP, false);
        if (at < 0) {
          throw new BrokenStreamException("broken boundary: no '--" + boundary() + "' after part " + parts
              + " (found '" + found + "')");
        }
        // The part before ended early or late: Content-Length was wrong, so stop believing it.
        trustLength = false;
        start += at;
      }
    }
    while (start < end && buffer[start] == '-') {
      start++;
    }
    if (core == null) {
      learnBoundary();
    }
    start += core.length;
    if (!ensure(2)) {
      return false;
    }
    if (buffer[start] == '-' && buffer[start + 1] == '-') {
      return false;
    }
    skipLine();
    return true;
  }

  /** Whether the buffer starts with dashes and the boundary (a boundary without dashes is not accepted). */
  private boolean atBoundary() throws IOException {
    int dashes = 0;
    while (true) {
      if (!ensure(dashes + 1)) {
        return false;
      }
      if (buffer[start + dashes] != '-') {
        break;
      }
      dashes++;
      if (dashes > 64) {
        return false;
      }
    }
    if (dashes < 2) {
      return false;
    }
    if (core == null) {
      return true;
    }
    if (!ensure(dashes + core.length)) {
      return false;
    }
    return Arrays.equals(buffer, start + dashes, start + dashes + core.length, core, 0, core.length);
  }

  /**
   * The offset from {@code start} of the next boundary ({@code --} and the boundary; without one
   * known, {@code --} at the start of a line) at or after {@code from}, searching at most {@code
   * limit} bytes; -1 if none.
   *
   * @param foreign whether lines that look like another boundary fail the search: the second one
   *     seen means the camera uses a boundary other than the one it declared
   */
  private int find(int from, int limit, boolean foreign) throws IOException {
    int at = from;
    int others = 0;
    while (true) {
      int needed = core == null ? 3 : 2 + core.length;
      while (end - start - at >= needed) {
        if (matches(at)) {
          return at;
        }
        if (foreign && core != null && looksLikeBoundary(at) && ++others >= 2) {
          throw new BrokenStreamException("no boundary '--" + boundary() + "' where the stream's parts begin; its"
              + " boundary lines are '" + line(start + at) + "'");
        }
        at++;
        if (at > limit) {
          return -1;
        }
      }
      if (!fill()) {
        return -1;
      }
    }
  }

  private int find(int from, int limit) throws IOException {
    return find(from, limit, false);
  }

  /** {@code --} and a word at the start of a line. */
  private boolean looksLikeBoundary(int at) {
    int p = start + at;
    return (at == 0 || buffer[p - 1] == '\n') && buffer[p] == '-' && buffer[p + 1] == '-' && buffer[p + 2] != '-'
        && buffer[p + 2] > ' ';
  }

  private boolean matches(int at) {
    int p = start + at;
    if (buffer[p] != '-' || buffer[p + 1] != '-') {
      return false;
    }
    if (core == null) {
      return (at == 0 || buffer[p - 1] == '\n') && buffer[p + 2] != '-' && buffer[p + 2] > ' ';
    }
    for (int i = 0; i < core.length; i++) {
      if (buffer[p + 2 + i] != core[i]) {
        return false;
      }
    }
    return true;
  }

  private void learnBoundary() throws IOException {
    int length = 0;
    while (true) {
      if (!ensure(length + 1)) {
        throw new EOFException("the stream ended inside its first boundary");
      }
      byte b = buffer[start + length];
      if (b == '\r' || b == '\n' || b == ' ' || b == '\t') {
        break;
      }
      if (++length > 200) {
        throw new BrokenStreamException("the stream's boundary line is longer than 200 bytes");
      }
    }
    core = Arrays.copyOfRange(buffer, start, start + length);
  }

  private Map<String, String> readHeaders() throws IOException {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int total = 0;
    while (true) {
      if (!ensure(2)) {
        throw new EOFException("the stream ended inside a part's headers");
      }
      if (buffer[start] == (byte) 0xFF && buffer[start + 1] == (byte) 0xD8) {
        return headers; // the picture follows the headers without a blank line
      }
      int lineEnd = indexOf((byte) '\n', MAX_HEADERS - total);
      if (lineEnd < 0) {
        throw new BrokenStreamException("part " + (parts + 1) + " has no end of its headers within "
            + MAX_HEADERS + " bytes (found '" + preview(start) + "')");
      }
      int contentEnd = lineEnd > 0 && buffer[start + lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
      String line = new String(buffer, start, contentEnd, StandardCharsets.ISO_8859_1);
      start += lineEnd + 1;
      total += lineEnd + 1;
      if (line.isBlank()) {
        return headers;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
  }

  private int declaredLength(Map<String, String> headers) throws BrokenStreamException {
    String value = headers.get("Content-Length");
    if (value == null) {
      return -1;
    }
    long length;
    try {
      length = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
    if (length > MAX_PART) {
      throw new BrokenStreamException("part " + (parts + 1) + " says it has " + length + " bytes, more than the "
          + MAX_PART / (1024 * 1024) + " MB accepted");
    }
    return length <= 0 ? -1 : (int) length;
  }

  private byte[] readExactly(int length) throws IOException {
    byte[] body = new byte[length];
    int buffered = Math.min(length, end - start);
    System.arraycopy(buffer, start, body, 0, buffered);
    start += buffered;
    int done = buffered;
    while (done < length) {
      int n = in.read(body, done, length - done);
      if (n < 0) {
        throw new EOFException("the stream ended inside part " + (parts + 1) + ", " + (length - done)
            + " of its " + length + " bytes missing");
      }
      done += n;
    }
    return body;
  }

  /**
   * A part without a trusted length: up to the end of its JPEG when it is one, else up to the next
   * boundary, without the line break before it.
   */
  private byte[] readUntilEnd() throws IOException {
    if (ensure(2) && buffer[start] == (byte) 0xFF && buffer[start + 1] == (byte) 0xD8) {
      JpegScanner scanner = new JpegScanner();
      while (true) {
        int length = scanner.scan(buffer, start, end - start);
        if (length >= 0) {
          byte[] body = Arrays.copyOfRange(buffer, start, start + length);
          start += length;
          return body;
        }
        if (length == JpegScanner.MALFORMED) {
          break;
        }
        if (end - start > MAX_PART) {
          throw tooLarge();
        }
        if (!fill()) {
          throw new EOFException("the stream ended inside part " + (parts + 1));
        }
      }
    }
    int at = find(0, MAX_PART);
    if (at < 0) {
      if (end - start > MAX_PART) {
        throw tooLarge();
      }
      throw new EOFException("the stream ended inside part " + (parts + 1));
    }
    int bodyEnd = at;
    if (bodyEnd > 0 && buffer[start + bodyEnd - 1] == '\n') {
      bodyEnd--;
      if (bodyEnd > 0 && buffer[start + bodyEnd - 1] == '\r') {
        bodyEnd--;
      }
    }
    byte[] body = Arrays.copyOfRange(buffer, start, start + bodyEnd);
    start += at;
    return body;
  }

  private BrokenStreamException tooLarge() {
    return new BrokenStreamException("part " + (parts + 1) + " grew past " + MAX_PART / (1024 * 1024)
        + " MB without a boundary '--" + boundary() + "': the boundary is broken");
  }

  private void skipWhitespace() throws IOException {
    int skipped = 0;
    while (ensure(1)) {
      byte b = buffer[start];
      if (b != '\r' && b != '\n' && b != ' ' && b != '\t') {
        return;
      }
      start++;
      if (++skipped > MAX_GAP) {
        throw new BrokenStreamException("more than " + MAX_GAP + " blank bytes after part " + parts);
      }
    }
  }

  private void skipLine() throws IOException {
    int lineEnd = indexOf((byte) '\n', 1024);
    if (lineEnd < 0) {
      throw new BrokenStreamException("the boundary line after part " + parts + " does not end within 1024 bytes");
    }
    start += lineEnd + 1;
  }

  /** Offset from start of the first {@code b} within {@code limit} bytes, reading as needed; -1 if none. */
  private int indexOf(byte b, int limit) throws IOException {
    int at = 0;
    while (at < limit) {
      if (!ensure(at + 1)) {
        return -1;
      }
      if (buffer[start + at] == b) {
        return at;
      }
      at++;
    }
    return -1;
  }

  /** Makes at least {@code n} unread bytes available; false when the stream ends first. */
  private boolean ensure(int n) throws IOException {
    while (end - start < n) {
      if (!fill()) {
        return false;
      }
    }
    return true;
  }

  /** Reads more into the buffer, compacting or growing it; false at the end of the stream. */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (end == buffer.length) {
      if (start > 0) {
        System.arraycopy(buffer, start, buffer, 0, end - start);
        end -= start;
        start = 0;
      } else {
        if (buffer.length >= MAX_PART + MAX_GAP) {
          throw tooLarge();
        }
        buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_PART + MAX_GAP));
      }
    }
    int n = in.read(buffer, end, buffer.length - end);
    if (n < 0) {
      eof = true;
      return false;
    }
    end += n;
    return true;
  }

  private String preview(int from) {
    return ResponseHead.printable(buffer, from, Math.min(end, from + 40), 40);
  }

  /** The line at {@code from}, without its line break, at most 40 characters. */
  private String line(int from) {
    int to = from;
    while (to < end && to - from < 40 && buffer[to] != '\r' && buffer[to] != '\n') {
      to++;
    }
    return ResponseHead.printable(buffer, from, to, 40);
  }
}
