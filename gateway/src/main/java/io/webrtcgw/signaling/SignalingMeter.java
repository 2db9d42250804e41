package io.webrtcgw.signaling;

/** Counts what the gateway tells viewers, for the metrics; called on any thread, never blocks. */
public interface SignalingMeter {
  SignalingMeter NONE = new SignalingMeter() {};

  /** An error was sent to a viewer. */
  default void error(ErrorCode code) {}

  /** An answer was sent; {@code first} is false for re-offers (ICE restarts). */
  default void answer(boolean first) {}

  /** The gateway closed a viewer's connection with {@code code}. */
  default void closed(int code) {}
}
