package io.webrtcgw.signaling.websocket;

/**
 * The gateway's side of one viewer's WebSocket, apart from Undertow so that the conversation can be
 * driven in tests.
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
