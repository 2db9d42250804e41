package io.webrtcgw.source.file;

/** How far a picture must be turned clockwise for display, from the track header matrix. */
enum Rotation {
  NONE(0),
  CW90(90),
  CW180(180),
  CW270(270);

  private final int degrees;

  Rotation(int degrees) {
    this.degrees = degrees;
  }

  int degrees() {
    return degrees;
  }

  boolean swapsSides() {
    return this == CW90 || this == CW270;
  }

  /**
   * Reads the rotation from a {@code tkhd} matrix {a, b, u, c, d, v, x, y, w} in 16.16 fixed point.
   * Mirrored or scaled matrices yield null: they are rare and not worth guessing at.
   */
  static Rotation fromMatrix(int[] m) {
    if (m == null || m.length < 5) {
      return NONE;
    }
    int one = 0x10000;
    if (m[0] == one && m[1] == 0 && m[3] == 0 && m[4] == one) {
      return NONE;
    }
    if (m[0] == 0 && m[1] == one && m[3] == -one && m[4] == 0) {
      return CW90;
    }
    if (m[0] == -one && m[1] == 0 && m[3] == 0 && m[4] == -one) {
      return CW180;
    }
    if (m[0] == 0 && m[1] == -one && m[3] == one && m[4] == 0) {
      return CW270;
    }
    return null;
  }
}
