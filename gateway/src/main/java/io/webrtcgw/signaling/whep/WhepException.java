package io.webrtcgw.signaling.whep;

/** A WHEP request refused for what it asks of a session resource, rather than for its SDP. */
public final class WhepException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Reason {
    /** No session has that id under that stream (never had, deleted, or ended). */
    NO_SUCH_SESSION,
    /** The request names an ICE session (entity tag) that is no longer the current one. */
    PRECONDITION_FAILED,
    /** An ICE restart must say which ICE session it replaces, or that any may be replaced. */
    PRECONDITION_REQUIRED
  }

  private final Reason reason;

  public WhepException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
