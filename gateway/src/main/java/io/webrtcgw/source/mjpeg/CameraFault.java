package io.webrtcgw.source.mjpeg;

/**
 * Why an HTTP camera cannot be read now, in one line for people (never with a password); the
 * source reports it and tries again.
 */
public class CameraFault extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean slowRetry;

  public CameraFault(String message) {
    this(message, false);
  }

  /** @param slowRetry retrying soon cannot help (a refused login): wait the longest backoff */
  public CameraFault(String message, boolean slowRetry) {
    super(message);
    this.slowRetry = slowRetry;
  }

  public boolean slowRetry() {
    return slowRetry;
  }
}
