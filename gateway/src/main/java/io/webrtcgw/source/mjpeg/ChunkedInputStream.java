package io.webrtcgw.source.mjpeg;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of a response sent with {@code Transfer-Encoding: chunked} (RFC 9112, section 7.1),
 * decoded: chunk sizes, their extensions and the trailer section are consumed, the data is passed
 * on. A malformed chunk size ends the stream with an {@link IOException} that says what was seen.
 */
public final class ChunkedInputStream extends InputStream {
  private final InputStream in;
  private long left;
  private boolean finished;

  /** @param in positioned at the first chunk's size line; read no further than the body's end */
  public ChunkedInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (left == 0 && !nextChunk()) {
      return -1;
    }
    int n = in.read(buffer, offset, (int) Math.min(length, left));
    if (n < 0) {
      throw new EOFException("the connection closed inside a chunk");
    }
    left -= n;
    if (left == 0) {
      endOfChunk();
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return finished ? 0 : (int) Math.min(left, in.available());
  }

  /** Reads the next size line; false after the last chunk and its trailers. */
  private boolean nextChunk() throws IOException {
    if (finished) {
      return false;
    }
    int[] budget = {ResponseHead.MAX_LINE};
    String line = ResponseHead.readLine(in, budget);
    if (line == null) {
      throw new EOFException("the connection closed before the last chunk");
    }
    int extension = line.indexOf(';');
    String size = (extension < 0 ? line : line.substring(0, extension)).trim();
    if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new ResponseHead.NotHttpException(
          "bad chunk size '" + ResponseHead.printable(line, 40) + "' in a chunked answer");
    }
    left = Long.parseLong(size, 16);
    if (left == 0) {
      finished = true;
      int[] trailers = {ResponseHead.MAX_HEAD};
      String trailer;
      do {
        trailer = ResponseHead.readLine(in, trailers);
      } while (trailer != null && !trailer.isEmpty());
      return false;
    }
    return true;
  }

  /** The CRLF after a chunk's data; a bare LF is forgiven. */
  private void endOfChunk() throws IOException {
    int b = in.read();
    if (b == '\r') {
      b = in.read();
    }
    if (b != '\n') {
      throw new ResponseHead.NotHttpException("a chunk does not end with CRLF" + (b < 0 ? " (connection closed)" : ""));
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
