package io.webrtcgw.source.rtsp;

/**
 * Maps a camera's RTP timestamps onto the local wall clock, so that frames keep the camera's
 * spacing rather than the network's. The offset follows the fastest arrivals (a frame is never
 * placed after it arrived); a jump of more than {@link #MAX_SKEW_MICROS} either way (a camera
 * restart, a clock step) starts the mapping over at the arriving frame.
 */
final class RtpClock {
  static final long MAX_SKEW_MICROS = 1_000_000;

  private final int clockRate;
  private long lastTimestamp = -1;
  private long extended;
  private long offsetMicros;
  private boolean anchored;

  RtpClock(int clockRate) {
    this.clockRate = clockRate;
  }

  /**
   * The 64-bit timestamp of a 32-bit RTP one, unwrapped against the previous call: B-frames step
   * back a little, wraparound steps forward.
   */
  long extend(long timestamp) {
    if (lastTimestamp < 0) {
      extended = timestamp;
    } else {
      extended += (int) (timestamp - lastTimestamp);
    }
    lastTimestamp = timestamp;
    return extended;
  }

  /** Microseconds of media time at {@code extendedTimestamp}. */
  long mediaMicros(long extendedTimestamp) {
    return Math.floorDiv(extendedTimestamp * 1_000_000L, clockRate);
  }

  /**
   * The wall-clock capture time (Unix microseconds) of the frame at {@code extendedTimestamp}
   * whose data arrived at {@code arrivalMicros}.
   */
  long captureMicros(long extendedTimestamp, long arrivalMicros) {
    long media = mediaMicros(extendedTimestamp);
    long offset = arrivalMicros - media;
    if (!anchored || offset < offsetMicros || offset - offsetMicros > MAX_SKEW_MICROS) {
      offsetMicros = offset;
      anchored = true;
    }
    return media + offsetMicros;
  }

  /** Forgets the mapping, for a new session. */
  void reset() {
    lastTimestamp = -1;
    anchored = false;
  }
}
