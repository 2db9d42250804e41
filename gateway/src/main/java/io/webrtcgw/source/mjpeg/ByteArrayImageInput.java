package io.webrtcgw.source.mjpeg;

import javax.imageio.stream.ImageInputStreamImpl;

/** An ImageIO input over a byte array, without the copy a cached stream would make. */
final class ByteArrayImageInput extends ImageInputStreamImpl {
  private final byte[] bytes;

  ByteArrayImageInput(byte[] bytes) {
    this.bytes = bytes;
  }

  @Override
  public int read() {
    bitOffset = 0;
    return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) {
    bitOffset = 0;
    if (streamPos >= bytes.length) {
      return length == 0 ? 0 : -1;
    }
    int n = (int) Math.min(length, bytes.length - streamPos);
    System.arraycopy(bytes, (int) streamPos, buffer, offset, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return bytes.length;
  }
}
