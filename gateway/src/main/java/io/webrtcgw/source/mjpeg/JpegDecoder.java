package io.webrtcgw.source.mjpeg;

import io.webrtcgw.source.I420Frame;

/**
 * Turns one JPEG into a tightly packed I420 frame in BT.601 limited range, as the gateway's
 * sources produce them. Odd sizes lose their last column or row. Not thread-safe: one per decoding
 * thread.
 */
public interface JpegDecoder extends AutoCloseable {

  /**
   * @param captureTimeMicros the frame's capture time, Unix microseconds
   * @param arrivalNanos when the JPEG's last byte arrived ({@link System#nanoTime})
   */
  I420Frame decode(byte[] jpeg, long captureTimeMicros, long arrivalNanos) throws JpegException;

  /** Frees what the decoder holds. */
  @Override
  void close();
}
