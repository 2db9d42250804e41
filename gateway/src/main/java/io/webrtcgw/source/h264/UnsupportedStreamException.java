package io.webrtcgw.source.h264;

/** The stream uses H.264 that JCodec cannot decode; the message says what was found. */
public final class UnsupportedStreamException extends DecodeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedStreamException(String message) {
    super(message);
  }
}
