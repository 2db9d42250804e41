package io.webrtcgw.signaling;

/** A viewer's request that cannot be served, with the code and text to send back. */
public class SignalingException extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public SignalingException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
