package io.webrtcgw.source.mjpeg;

/**
 * Finds where a JPEG ends (its EOI marker) in bytes that arrive a piece at a time, by walking its
 * segments: the lengths of marker segments are skipped, so a thumbnail inside an APP segment does
 * not end the picture early, and entropy-coded data is scanned for the next marker. This lets an
 * MJPEG part without {@code Content-Length} be handed on as soon as its last byte arrives, rather
 * than when the next boundary does.
 */
final class JpegScanner {
  /** More bytes are needed. */
  static final int MORE = -1;
  /** The bytes are not a JPEG the scanner can follow. */
  static final int MALFORMED = -2;

  private int pos;
  private boolean started;
  private boolean entropy;

  /**
   * Continues the scan over {@code bytes[base, base + length)}, the same picture's bytes as in the
   * previous call plus any that arrived since. Returns the picture's length (up to and including
   * EOI), {@link #MORE} or {@link #MALFORMED}.
   */
  int scan(byte[] bytes, int base, int length) {
    if (!started) {
      if (length < 2) {
        return MORE;
      }
      if (bytes[base] != (byte) 0xFF || bytes[base + 1] != (byte) 0xD8) {
        return MALFORMED;
      }
      pos = 2;
      started = true;
    }
    while (true) {
      if (entropy) {
        while (true) {
          if (pos >= length) {
            return MORE;
          }
          if (bytes[base + pos] != (byte) 0xFF) {
            pos++;
            continue;
          }
          if (pos + 1 >= length) {
            return MORE;
          }
          int next = bytes[base + pos + 1] & 0xFF;
          if (next == 0x00 || next >= 0xD0 && next <= 0xD7) {
            pos += 2; // a stuffed 0xFF or a restart marker: still entropy-coded data
          } else if (next == 0xFF) {
            pos++; // fill byte before a marker
          } else {
            entropy = false;
            break;
          }
        }
      }
      if (pos + 2 > length) {
        return MORE;
      }
      if (bytes[base + pos] != (byte) 0xFF) {
        return MALFORMED;
      }
      int marker = bytes[base + pos + 1] & 0xFF;
      if (marker == 0xFF) {
        pos++;
        continue;
      }
      if (marker == 0xD9) {
        return pos + 2;
      }
      if (marker == 0xD8 || marker == 0x00) {
        return MALFORMED;
      }
      if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
        pos += 2;
        continue;
      }
      if (pos + 4 > length) {
        return MORE;
      }
      int segment = (bytes[base + pos + 2] & 0xFF) << 8 | bytes[base + pos + 3] & 0xFF;
      if (segment < 2) {
        return MALFORMED;
      }
      pos += 2 + segment;
      if (marker == 0xDA) {
        entropy = true;
      }
    }
  }
}
