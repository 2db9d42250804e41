package io.webrtcgw.source.mjpeg;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** A body of {@code Content-Length} bytes: ends there, and fails if the connection ends first. */
final class FixedLengthInputStream extends InputStream {
  private final InputStream in;
  private long left;

  FixedLengthInputStream(InputStream in, long length) {
    this.in = in;
    this.left = length;
  }

  @Override
  public int read() throws IOException {
    if (left == 0) {
      return -1;
    }
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the connection closed " + left + " bytes before the end of the answer");
    }
    left--;
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (left == 0) {
      return -1;
    }
    int n = in.read(buffer, offset, (int) Math.min(length, left));
    if (n < 0) {
      throw new EOFException("the connection closed " + left + " bytes before the end of the answer");
    }
    left -= n;
    return n;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(left, in.available());
  }

  /** Whether the whole body has been read, so the connection can carry another request. */
  boolean consumed() {
    return left == 0;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
