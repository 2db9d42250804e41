package io.webrtcgw.source;

import java.util.Objects;

/**
 * One decoded picture in planar I420 with tightly packed planes (stride = width, chroma stride =
 * ceil(width / 2)). Immutable by contract: a source never writes to a frame after emitting it, so
 * one instance can be handed to every consumer without copying.
 */
public final class I420Frame {
  private final int width;
  private final int height;
  private final byte[] y;
  private final byte[] u;
  private final byte[] v;
  private final long captureTimeMicros;
  private final long arrivalNanos;

  public I420Frame(int width, int height, byte[] y, byte[] u, byte[] v, long captureTimeMicros) {
    this(width, height, y, u, v, captureTimeMicros, 0);
  }

  /**
   * @param arrivalNanos when the last byte of the picture reached the gateway, on {@link
   *     System#nanoTime}'s axis; 0 for pictures made here (a pattern, a file)
   */
  public I420Frame(int width, int height, byte[] y, byte[] u, byte[] v, long captureTimeMicros, long arrivalNanos) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
    }
    int chroma = chromaWidth(width) * chromaHeight(height);
    if (y.length < width * height || u.length < chroma || v.length < chroma) {
      throw new IllegalArgumentException("planes too small for " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.y = Objects.requireNonNull(y);
    this.u = Objects.requireNonNull(u);
    this.v = Objects.requireNonNull(v);
    this.captureTimeMicros = captureTimeMicros;
    this.arrivalNanos = arrivalNanos;
  }

  /** A frame with freshly allocated, zeroed planes, for sources that fill them in place. */
  public static I420Frame allocate(int width, int height, long captureTimeMicros) {
    int chroma = chromaWidth(width) * chromaHeight(height);
    return new I420Frame(
        width, height, new byte[width * height], new byte[chroma], new byte[chroma], captureTimeMicros);
  }

  public static int chromaWidth(int width) {
    return (width + 1) / 2;
  }

  public static int chromaHeight(int height) {
    return (height + 1) / 2;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int chromaWidth() {
    return chromaWidth(width);
  }

  public int chromaHeight() {
    return chromaHeight(height);
  }

  /** Luma plane, stride {@link #width()}. Callers must not modify it. */
  public byte[] y() {
    return y;
  }

  /** Cb plane, stride {@link #chromaWidth()}. Callers must not modify it. */
  public byte[] u() {
    return u;
  }

  /** Cr plane, stride {@link #chromaWidth()}. Callers must not modify it. */
  public byte[] v() {
    return v;
  }

  /** When the picture's data arrived from the network ({@link System#nanoTime}), or 0 if made here. */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** Wall-clock time the picture was captured or scheduled for presentation, Unix microseconds. */
  public long captureTimeMicros() {
    return captureTimeMicros;
  }
}
