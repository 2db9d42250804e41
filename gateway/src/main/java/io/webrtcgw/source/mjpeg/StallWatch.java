package io.webrtcgw.source.mjpeg;

import java.time.Clock;
import java.time.Duration;

/**
 * Notices a camera that keeps its connection busy but shows nothing: bytes arrive, yet no picture
 * has been decoded for the stall timeout (a part that never ends, a stream of pictures that cannot
 * be decoded). A camera that has gone silent is the read timeout's to notice, not this. Read from
 * the decoding thread, fed from the reading one.
 */
final class StallWatch {
  private final Clock clock;
  private volatile long timeoutMillis = Long.MAX_VALUE;
  private volatile long pictureMillis;
  private volatile long bytesMillis;
  private volatile boolean polling;
  private volatile String decodeError;

  StallWatch(Clock clock) {
    this.clock = clock;
  }

  /**
   * A new connection starts the count again.
   *
   * @param pollInterval for a snapshot camera, the time between polls, which the limit allows for
   *     on top of the timeout (bytes arrive only at each poll); zero for a stream
   */
  void restart(Duration timeout, Duration pollInterval) {
    long now = clock.millis();
    timeoutMillis = timeout.toMillis() + pollInterval.toMillis();
    polling = !pollInterval.isZero();
    pictureMillis = now;
    bytesMillis = now;
    decodeError = null;
  }

  void bytes() {
    bytesMillis = clock.millis();
  }

  void decoded() {
    pictureMillis = clock.millis();
    decodeError = null;
  }

  void undecodable(String reason) {
    decodeError = reason;
  }

  /** Why the connection shows nothing, or null while it does (or while it is silent). */
  String stalled() {
    long now = clock.millis();
    long idle = now - pictureMillis;
    // Bytes that stopped coming half a timeout ago mean a silent camera, which the read timeout
    // names more precisely and at nearly the same moment.
    if (idle <= timeoutMillis || !polling && now - bytesMillis > timeoutMillis / 2) {
      return null;
    }
    String seconds = CameraClient.seconds(Duration.ofMillis(timeoutMillis));
    String error = decodeError;
    return error != null ? "no picture could be decoded for " + seconds + ": " + error
        : "the camera sent data but no complete picture for " + seconds;
  }
}
