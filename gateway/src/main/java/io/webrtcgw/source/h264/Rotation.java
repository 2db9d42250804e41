package io.webrtcgw.source.h264;

/** How far a picture must be turned clockwise for display. */
public enum Rotation {
  NONE(0),
  CW90(90),
  CW180(180),
  CW270(270);

  private final int degrees;

  Rotation(int degrees) {
    this.degrees = degrees;
  }

  public int degrees() {
    return degrees;
  }

  public boolean swapsSides() {
    return this == CW90 || this == CW270;
  }
}
