package io.webrtcgw.source.pattern;

/**
 * The machine-readable stamp carried by the top band of every pattern frame, so that receivers can
 * measure latency and loss from the picture itself.
 *
 * <p>The band is {@code height / 16} rows tall and split into 64 equal-width cells; cell {@code i}
 * carries bit {@code i}, white (Y=235) for 1 and black (Y=16) for 0. Cells 0-47 hold the capture
 * time in Unix milliseconds and cells 48-63 the frame number modulo 65536, each most significant bit
 * first.
 */
public record FrameStamp(long timeMillis, int frameNumber) {
  public static final int CELLS = 64;
  public static final int TIME_BITS = 48;
  public static final int FRAME_BITS = 16;
  public static final int WHITE = 235;
  public static final int BLACK = 16;
  private static final long TIME_MASK = (1L << TIME_BITS) - 1;

  public FrameStamp {
    frameNumber &= 0xFFFF;
    timeMillis &= TIME_MASK;
  }

  /** The 64-bit word the cells carry, cell 0 in the most significant position. */
  long word() {
    return (timeMillis << FRAME_BITS) | frameNumber;
  }

  static FrameStamp ofWord(long word) {
    return new FrameStamp(word >>> FRAME_BITS, (int) (word & 0xFFFF));
  }

  public static int bandHeight(int height) {
    return Math.max(1, height / 16);
  }

  /** Writes this stamp into the top band of a luma plane. */
  public void paint(byte[] luma, int stride, int width, int height) {
    int band = bandHeight(height);
    long word = word();
    for (int cell = 0; cell < CELLS; cell++) {
      boolean one = ((word >>> (CELLS - 1 - cell)) & 1) != 0;
      byte value = (byte) (one ? WHITE : BLACK);
      int x0 = cellStart(cell, width);
      int x1 = cellStart(cell + 1, width);
      for (int row = 0; row < band; row++) {
        int base = row * stride;
        for (int x = x0; x < x1; x++) {
          luma[base + x] = value;
        }
      }
    }
  }

  /**
   * Reads a stamp back from a luma plane (after encoding and decoding), sampling the middle of each
   * cell so that codec ringing at the edges does not flip bits.
   */
  public static FrameStamp read(LumaReader luma, int width, int height) {
    int band = bandHeight(height);
    int rowFrom = band / 4;
    int rowTo = Math.max(rowFrom + 1, band - band / 4);
    long word = 0;
    for (int cell = 0; cell < CELLS; cell++) {
      int x0 = cellStart(cell, width);
      int x1 = cellStart(cell + 1, width);
      int margin = (x1 - x0) / 4;
      long sum = 0;
      int count = 0;
      for (int row = rowFrom; row < rowTo; row++) {
        for (int x = x0 + margin; x < x1 - margin; x++) {
          sum += luma.at(x, row);
          count++;
        }
      }
      boolean one = count > 0 && sum / count >= (WHITE + BLACK) / 2;
      word = (word << 1) | (one ? 1 : 0);
    }
    return ofWord(word);
  }

  static int cellStart(int cell, int width) {
    return (int) ((long) cell * width / CELLS);
  }

  /** Access to 8-bit luma samples of any layout. */
  @FunctionalInterface
  public interface LumaReader {
    int at(int x, int y);
  }
}
