package io.webrtcgw.source.mjpeg;

/** A JPEG cannot be decoded; the message says why in one line. */
public final class JpegException extends Exception {
  private static final long serialVersionUID = 1L;

  public JpegException(String message) {
    super(message);
  }

  public JpegException(String message, Throwable cause) {
    super(message, cause);
  }
}
