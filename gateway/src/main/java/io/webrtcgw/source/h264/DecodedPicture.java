package io.webrtcgw.source.h264;

import io.webrtcgw.source.I420Frame;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;

/**
 * A decoded picture in tightly packed I420, cropped, rotated for display and back in the 0..255
 * range, held with its presentation time until its turn comes.
 */
public record DecodedPicture(long pts, int width, int height, byte[] y, byte[] u, byte[] v) {

  /**
   * Copies the visible part of a JCodec picture. JCodec stores 8-bit samples minus 128 in planes
   * padded to whole macroblocks, and reuses them for the next frame, so the copy is taken at once.
   */
  public static DecodedPicture of(Picture picture, Rotation rotation, long pts) {
    Rect crop = picture.getCrop();
    int x0 = crop == null ? 0 : crop.getX();
    int y0 = crop == null ? 0 : crop.getY();
    int w = crop == null ? picture.getWidth() : crop.getWidth();
    int h = crop == null ? picture.getHeight() : crop.getHeight();
    int cw = I420Frame.chromaWidth(w);
    int ch = I420Frame.chromaHeight(h);
    byte[] y = plane(picture.getPlaneData(0), picture.getPlaneWidth(0), x0, y0, w, h, rotation);
    byte[] u = plane(picture.getPlaneData(1), picture.getPlaneWidth(1), x0 / 2, y0 / 2, cw, ch, rotation);
    byte[] v = plane(picture.getPlaneData(2), picture.getPlaneWidth(2), x0 / 2, y0 / 2, cw, ch, rotation);
    return rotation.swapsSides()
        ? new DecodedPicture(pts, h, w, y, u, v)
        : new DecodedPicture(pts, w, h, y, u, v);
  }

  public I420Frame toFrame(long captureTimeMicros) {
    return new I420Frame(width, height, y, u, v, captureTimeMicros);
  }

  /** The frame, remembering when its last byte arrived ({@link System#nanoTime}) for the delay metric. */
  public I420Frame toFrame(long captureTimeMicros, long arrivalNanos) {
    return new I420Frame(width, height, y, u, v, captureTimeMicros, arrivalNanos);
  }

  private static byte[] plane(byte[] src, int stride, int x0, int y0, int w, int h, Rotation rotation) {
    byte[] dst = new byte[w * h];
    switch (rotation) {
      case NONE -> {
        for (int row = 0; row < h; row++) {
          int from = (y0 + row) * stride + x0;
          int to = row * w;
          for (int col = 0; col < w; col++) {
            dst[to + col] = (byte) (src[from + col] + 128);
          }
        }
      }
      case CW90 -> {
        for (int row = 0; row < h; row++) {
          int from = (y0 + row) * stride + x0;
          int x = h - 1 - row;
          for (int col = 0; col < w; col++) {
            dst[col * h + x] = (byte) (src[from + col] + 128);
          }
        }
      }
      case CW180 -> {
        for (int row = 0; row < h; row++) {
          int from = (y0 + row) * stride + x0;
          int to = (h - 1 - row) * w + (w - 1);
          for (int col = 0; col < w; col++) {
            dst[to - col] = (byte) (src[from + col] + 128);
          }
        }
      }
      case CW270 -> {
        for (int row = 0; row < h; row++) {
          int from = (y0 + row) * stride + x0;
          for (int col = 0; col < w; col++) {
            dst[(w - 1 - col) * h + row] = (byte) (src[from + col] + 128);
          }
        }
      }
    }
    return dst;
  }
}
