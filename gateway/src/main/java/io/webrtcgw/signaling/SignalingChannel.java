package io.webrtcgw.signaling;

/**
 * The gateway's side of one viewer's signaling connection, whatever carries it (WebSocket today).
 * Both methods are safe from any thread and never block.
 */
public interface SignalingChannel {
  void send(ServerMessage message);

  /** Ends the connection; idempotent. */
  void close(int code, String reason);

  /** False once the connection is closed or closing: nothing sent arrives any more. */
  boolean isOpen();

  /** Where the viewer connects from, for logs. */
  String peer();
}
