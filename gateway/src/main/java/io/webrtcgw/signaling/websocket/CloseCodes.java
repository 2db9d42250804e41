package io.webrtcgw.signaling.websocket;

/** WebSocket close codes the gateway uses; documented in README. */
public final class CloseCodes {
  public static final int NORMAL = 1000;
  public static final int GOING_AWAY = 1001;
  /** The viewer sent messages faster than the gateway takes them. */
  public static final int TOO_MANY_MESSAGES = 1008;
  public static final int TOO_BIG = 1009;
  public static final int INTERNAL_ERROR = 1011;
  /** The session ended because ICE failed or stayed disconnected past the grace period. */
  public static final int ICE_ENDED = 4400;
  public static final int UNAUTHORIZED = 4401;
  public static final int FORBIDDEN = 4403;
  public static final int UNKNOWN_STREAM = 4404;
  public static final int NO_OFFER_IN_TIME = 4408;
  public static final int BUSY = 4503;

  private CloseCodes() {}
}
