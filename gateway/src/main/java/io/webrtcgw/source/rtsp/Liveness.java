package io.webrtcgw.source.rtsp;

/**
 * The clocks of one playing session, on {@link System#nanoTime}'s axis passed in by the caller: a
 * stall when no RTP arrives for the stall timeout (counted from PLAY before the first packet), and
 * keep-alives due at an interval within the server's session timeout.
 */
final class Liveness {
  private final long stallNanos;
  private final long keepAliveNanos;
  private long lastMedia;
  private long nextKeepAlive;
  private boolean media;

  Liveness(long stallNanos, long keepAliveNanos, long playNanos) {
    this.stallNanos = stallNanos;
    this.keepAliveNanos = keepAliveNanos;
    this.lastMedia = playNanos;
    this.nextKeepAlive = playNanos + keepAliveNanos;
  }

  /** RTP arrived. */
  void media(long now) {
    lastMedia = now;
    media = true;
  }

  /** Whether any RTP has arrived since PLAY. */
  boolean anyMedia() {
    return media;
  }

  /** Whether nothing arrived for the stall timeout. */
  boolean stalled(long now) {
    return now - lastMedia >= stallNanos;
  }

  /** Nanoseconds since the last RTP (or since PLAY). */
  long silentFor(long now) {
    return now - lastMedia;
  }

  /** Whether a keep-alive is due; true once per interval, the next one then counts from now. */
  boolean keepAliveDue(long now) {
    if (now - nextKeepAlive < 0) {
      return false;
    }
    nextKeepAlive = now + keepAliveNanos;
    return true;
  }

  /** Nanoseconds until the next keep-alive or stall check matters, for a receive timeout. */
  long untilNextCheck(long now) {
    long toKeepAlive = nextKeepAlive - now;
    long toStall = lastMedia + stallNanos - now;
    return Math.max(0, Math.min(toKeepAlive, toStall));
  }
}
