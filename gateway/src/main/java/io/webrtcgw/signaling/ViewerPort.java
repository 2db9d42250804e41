package io.webrtcgw.signaling;

/**
 * What a session says to its viewer, whatever protocol carries the conversation: the WebSocket
 * (signaling/websocket) turns it into messages and close codes, WHEP (signaling/whep) into HTTP
 * answers. Every method is safe from any thread and never blocks.
 */
public interface ViewerPort {
  /** The gateway's sendonly answer to the viewer's latest offer. */
  void answer(String sdp);

  /** A gateway ICE candidate, never before the answer; {@link Candidate#END} once all are gathered. */
  void candidate(Candidate candidate);

  /** Something the viewer asked for could not be done; the session stays unless it ends next. */
  void error(ErrorCode code, String message);

  /**
   * Something went wrong with one tile of a wall session (the one on media section {@code mid},
   * showing {@code stream}); the tile is gone, the session and its other tiles stay.
   */
  default void tileError(String mid, String stream, ErrorCode code, String message) {
    error(code, message);
  }

  /** The session has ended and released everything it held. Called once. */
  void ended(EndReason reason);

  /** Where the viewer connects from, for logs. */
  String peer();
}
