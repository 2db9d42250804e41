package io.webrtcgw.source;

/** A source cannot be opened or cannot go on; the message names the source and the reason. */
public class SourceException extends Exception {
  private static final long serialVersionUID = 1L;

  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
