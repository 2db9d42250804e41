package io.webrtcgw.source;

/** Nominal picture size and rate of a source. */
public record VideoFormat(int width, int height, double fps) {
  public VideoFormat {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
    }
    if (!(fps > 0) || fps > 240) {
      throw new IllegalArgumentException("fps must be in (0, 240]: " + fps);
    }
  }

  @Override
  public String toString() {
    return width + "x" + height + "@" + (fps == Math.rint(fps) ? String.valueOf((long) fps) : String.valueOf(fps));
  }
}
