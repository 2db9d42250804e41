package io.webrtcgw.source.rtsp;

import java.io.IOException;

/** The server sent bytes that are not RTSP; the message says what was wrong. */
public final class RtspProtocolException extends IOException {
  private static final long serialVersionUID = 1L;

  public RtspProtocolException(String message) {
    super(message);
  }
}
