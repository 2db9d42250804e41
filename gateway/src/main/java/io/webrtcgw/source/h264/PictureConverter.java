package io.webrtcgw.source.h264;

import io.webrtcgw.source.I420Frame;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;

/**
 * Turns the visible part of a JCodec picture into tightly packed I420, rotated for display and
 * back in the 0..255 range. JCodec stores 8-bit samples minus 128 in planes padded to whole
 * macroblocks and reuses them for the next picture, so the conversion is the one pass every
 * decoded picture needs; it goes straight into its destination, eight samples at a time (adding
 * 128 to a byte is flipping its top bit, so eight at once are one XOR of a long). A rotated
 * picture is turned row by row through a row of this converter's own. Not thread-safe; one per
 * decoding thread.
 */
public final class PictureConverter {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long TOP_BITS = 0x8080808080808080L;

  private byte[] row = new byte[0];

  /** The displayed size of {@code picture} under {@code rotation}: {width, height}. */
  public static int[] size(Picture picture, Rotation rotation) {
    Rect crop = picture.getCrop();
    int w = crop == null ? picture.getWidth() : crop.getWidth();
    int h = crop == null ? picture.getHeight() : crop.getHeight();
    return rotation.swapsSides() ? new int[] {h, w} : new int[] {w, h};
  }

  /** Writes the three planes into arrays of the displayed size (see {@link #size}). */
  public static void convert(Picture picture, Rotation rotation, byte[] y, byte[] u, byte[] v) {
    View view = new View(picture, rotation);
    for (int plane = 0; plane < 3; plane++) {
      byte[] dst = plane == 0 ? y : plane == 1 ? u : v;
      int outWidth = view.outWidth(plane);
      for (int r = 0; r < view.outHeight(plane); r++) {
        view.row(plane, r, dst, r * outWidth);
      }
    }
  }

  /**
   * Writes the three planes into buffers of the displayed size (see {@link #size}), from their
   * position 0, and returns the bytes written on the way: the picture's size once, or twice for a
   * rotated picture (into this converter's row, then on).
   */
  public long convert(Picture picture, Rotation rotation, ByteBuffer y, ByteBuffer u, ByteBuffer v) {
    View view = new View(picture, rotation);
    long copied = 0;
    for (int plane = 0; plane < 3; plane++) {
      ByteBuffer dst = (plane == 0 ? y : plane == 1 ? u : v).duplicate().order(ByteOrder.LITTLE_ENDIAN);
      int outWidth = view.outWidth(plane);
      int outHeight = view.outHeight(plane);
      if (rotation == Rotation.NONE) {
        view.plane(plane, dst);
        copied += (long) outWidth * outHeight;
        continue;
      }
      if (row.length < outWidth) {
        row = new byte[outWidth];
      }
      for (int r = 0; r < outHeight; r++) {
        view.row(plane, r, row, 0);
        dst.put(r * outWidth, row, 0, outWidth);
        copied += 2L * outWidth;
      }
    }
    return copied;
  }
  /** Where a picture's visible part lies in JCodec's padded planes, and how it turns. */
  private static final class View {
    private final Picture picture;
    private final Rotation rotation;
    private final int x0;
    private final int y0;
    private final int w;
    private final int h;

    View(Picture picture, Rotation rotation) {
      this.picture = picture;
      this.rotation = rotation;
      Rect crop = picture.getCrop();
      this.x0 = crop == null ? 0 : crop.getX();
      this.y0 = crop == null ? 0 : crop.getY();
      this.w = crop == null ? picture.getWidth() : crop.getWidth();
      this.h = crop == null ? picture.getHeight() : crop.getHeight();
    }

    /** Unrotated width of a plane's visible part. */
    private int inWidth(int plane) {
      return plane == 0 ? w : I420Frame.chromaWidth(w);
    }

    private int inHeight(int plane) {
      return plane == 0 ? h : I420Frame.chromaHeight(h);
    }

    /** Where a plane's visible part starts in the decoded picture (its crop's corner). */
    private int originX(int plane) {
      return plane == 0 ? x0 : x0 / 2;
    }

    private int originY(int plane) {
      return plane == 0 ? y0 : y0 / 2;
    }

    int outWidth(int plane) {
      return rotation.swapsSides() ? inHeight(plane) : inWidth(plane);
    }

    int outHeight(int plane) {
      return rotation.swapsSides() ? inWidth(plane) : inHeight(plane);
    }

    /** Writes an unrotated plane into {@code dst} (little-endian) from index 0. */
    void plane(int plane, ByteBuffer dst) {
      byte[] src = picture.getPlaneData(plane);
      int stride = picture.getPlaneWidth(plane);
      int px = originX(plane);
      int py = originY(plane);
      int iw = inWidth(plane);
      int ih = inHeight(plane);
      for (int r = 0; r < ih; r++) {
        int from = (py + r) * stride + px;
        int to = r * iw;
        int col = 0;
        for (; col + 8 <= iw; col += 8) {
          dst.putLong(to + col, (long) LONGS.get(src, from + col) ^ TOP_BITS);
        }
        for (; col < iw; col++) {
          dst.put(to + col, (byte) (src[from + col] ^ 0x80));
        }
      }
    }

    /** Writes output row {@code r} of {@code plane} into {@code dst} from {@code offset}. */
    void row(int plane, int r, byte[] dst, int offset) {
      byte[] src = picture.getPlaneData(plane);
      int stride = picture.getPlaneWidth(plane);
      int px = originX(plane);
      int py = originY(plane);
      int iw = inWidth(plane);
      int ih = inHeight(plane);
      switch (rotation) {
        case NONE -> {
          int from = (py + r) * stride + px;
          int col = 0;
          for (; col + 8 <= iw; col += 8) {
            LONGS.set(dst, offset + col, (long) LONGS.get(src, from + col) ^ TOP_BITS);
          }
          for (; col < iw; col++) {
            dst[offset + col] = (byte) (src[from + col] ^ 0x80);
          }
        }
        case CW180 -> {
          int from = (py + ih - 1 - r) * stride + px + iw - 1;
          for (int col = 0; col < iw; col++) {
            dst[offset + col] = (byte) (src[from - col] + 128);
          }
        }
        case CW90 -> {
          // Output row r is input column r, read from the bottom row up.
          int from = (py + ih - 1) * stride + px + r;
          for (int col = 0; col < ih; col++) {
            dst[offset + col] = (byte) (src[from - col * stride] + 128);
          }
        }
        case CW270 -> {
          // Output row r is input column (width - 1 - r), read from the top row down.
          int from = py * stride + px + iw - 1 - r;
          for (int col = 0; col < ih; col++) {
            dst[offset + col] = (byte) (src[from + col * stride] + 128);
          }
        }
      }
    }
  }
}
