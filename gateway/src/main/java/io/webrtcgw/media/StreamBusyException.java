package io.webrtcgw.media;

/** A stream or the whole gateway has as many viewers as it may have. */
public class StreamBusyException extends Exception {
  private static final long serialVersionUID = 1L;

  public StreamBusyException(String message) {
    super(message);
  }
}
