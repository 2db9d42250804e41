package io.webrtcgw.publish;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;

/**
 * Passes at most {@code fps} frames a second on to a sink of a publication's own, chosen by their
 * capture times. libwebrtc enforces an encoding's {@code maxFramerate} only by asking the source to
 * adapt, and the one source every viewer shares does not: a publication with a lower rate than its
 * source gets a track of its own fed through this. Runs on the source's thread.
 */
final class FrameRateLimit implements FrameSink {
  private final long intervalMicros;
  private final FrameSink next;
  private long dueMicros;
  private long lastMicros = Long.MIN_VALUE;

  FrameRateLimit(double fps, FrameSink next) {
    if (!(fps > 0)) {
      throw new IllegalArgumentException("fps must be positive: " + fps);
    }
    this.intervalMicros = Math.round(1_000_000 / fps);
    this.next = next;
  }

  @Override
  public void onFrame(I420Frame frame) {
    long at = frame.captureTimeMicros();
    // A frame stamped a little early (source jitter) still counts as on time.
    long slack = intervalMicros / 8;
    boolean first = lastMicros == Long.MIN_VALUE || at < lastMicros;
    if (!first && at < dueMicros - slack) {
      return;
    }
    // After a gap longer than an interval, the count starts afresh rather than catching up.
    dueMicros = first || at - dueMicros > intervalMicros ? at + intervalMicros : dueMicros + intervalMicros;
    lastMicros = at;
    next.onFrame(frame);
  }
}
