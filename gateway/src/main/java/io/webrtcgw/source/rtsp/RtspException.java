package io.webrtcgw.source.rtsp;

/**
 * Why a camera cannot be played now, in one line a person can act on (never holding a password),
 * and whether trying again soon can help.
 */
public final class RtspException extends Exception {
  private static final long serialVersionUID = 1L;

  /** How soon another attempt makes sense. */
  public enum Retry {
    /** The camera or the network may be back any moment: capped backoff. */
    SOON,
    /**
     * The camera cut a session that was playing (closed or reset the connection): one attempt at
     * once, now and then, before the capped backoff; a camera that only dropped the session is
     * back before viewers notice.
     */
    AT_ONCE,
    /**
     * The camera could not be reached at all: capped backoff, cut short as soon as it accepts
     * connections again, so that video is back within seconds of the camera.
     */
    ONCE_REACHABLE,
    /** Someone must change something (a login, the camera's codec): retry only now and then. */
    SLOWLY
  }

  private final Retry retry;

  public RtspException(String message, Retry retry) {
    super(message);
    this.retry = retry;
  }

  public Retry retry() {
    return retry;
  }
}
