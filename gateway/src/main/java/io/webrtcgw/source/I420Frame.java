package io.webrtcgw.source;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One decoded picture in planar I420 with tightly packed planes (stride = width, chroma stride =
 * ceil(width / 2)). Immutable by contract: a source never writes to a frame after emitting it, so
 * one instance can be handed to every consumer without copying.
 *
 * <p>A frame either owns its planes as arrays (made with a constructor), or shows the direct
 * memory of a pooled {@link FrameBuffer}, which is reused once every holder has let go of it: such
 * a frame is valid during {@link FrameSink#onFrame}, and a consumer that keeps it longer takes a
 * reference with {@link #retain()} (or keeps a {@link #detached()} copy). Retaining and releasing a
 * frame that owns its planes does nothing. Consumers read planes through {@link #yPlane()} and its
 * kind, which never copy; {@link #y()} and its kind copy direct planes into arrays on first use.
 */
public final class I420Frame {
  private final int width;
  private final int height;
  private final ByteBuffer yPlane;
  private final ByteBuffer uPlane;
  private final ByteBuffer vPlane;
  private final long captureTimeMicros;
  private final long arrivalNanos;
  /** Where direct planes go back to once released, or null when the frame owns arrays. */
  private final FrameBuffer buffer;
  /** The planes as arrays: given, or copied from direct planes when first asked for. */
  private volatile byte[][] arrays;

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
    this.arrays = new byte[][] {Objects.requireNonNull(y), Objects.requireNonNull(u), Objects.requireNonNull(v)};
    this.yPlane = ByteBuffer.wrap(y, 0, width * height).slice().asReadOnlyBuffer();
    this.uPlane = ByteBuffer.wrap(u, 0, chroma).slice().asReadOnlyBuffer();
    this.vPlane = ByteBuffer.wrap(v, 0, chroma).slice().asReadOnlyBuffer();
    this.captureTimeMicros = captureTimeMicros;
    this.arrivalNanos = arrivalNanos;
    this.buffer = null;
  }

  /** A frame showing a buffer's direct planes; made by {@link FrameBuffer#frame}. */
  I420Frame(FrameBuffer buffer, ByteBuffer y, ByteBuffer u, ByteBuffer v, long captureTimeMicros, long arrivalNanos) {
    this.width = buffer.width();
    this.height = buffer.height();
    this.yPlane = y.asReadOnlyBuffer();
    this.uPlane = u.asReadOnlyBuffer();
    this.vPlane = v.asReadOnlyBuffer();
    this.captureTimeMicros = captureTimeMicros;
    this.arrivalNanos = arrivalNanos;
    this.buffer = buffer;
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

  /** Luma plane, stride {@link #width()}, read-only, position 0; never a copy. */
  public ByteBuffer yPlane() {
    return yPlane.duplicate();
  }

  /** Cb plane, stride {@link #chromaWidth()}, read-only, position 0; never a copy. */
  public ByteBuffer uPlane() {
    return uPlane.duplicate();
  }

  /** Cr plane, stride {@link #chromaWidth()}, read-only, position 0; never a copy. */
  public ByteBuffer vPlane() {
    return vPlane.duplicate();
  }

  /** Whether the planes are arrays, so that {@link #y()} and its kind cost nothing. */
  public boolean hasArrays() {
    return buffer == null;
  }

  /** Luma plane, stride {@link #width()}; copied once from direct planes. Callers must not modify it. */
  public byte[] y() {
    return arrays()[0];
  }

  /** Cb plane, stride {@link #chromaWidth()}; copied once from direct planes. Callers must not modify it. */
  public byte[] u() {
    return arrays()[1];
  }

  /** Cr plane, stride {@link #chromaWidth()}; copied once from direct planes. Callers must not modify it. */
  public byte[] v() {
    return arrays()[2];
  }

  private byte[][] arrays() {
    byte[][] planes = arrays;
    if (planes == null) {
      synchronized (this) {
        planes = arrays;
        if (planes == null) {
          planes = new byte[][] {copy(yPlane), copy(uPlane), copy(vPlane)};
          arrays = planes;
        }
      }
    }
    return planes;
  }

  private static byte[] copy(ByteBuffer plane) {
    byte[] bytes = new byte[plane.capacity()];
    plane.duplicate().clear().get(bytes);
    return bytes;
  }

  /** When the picture's data arrived from the network ({@link System#nanoTime}), or 0 if made here. */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /** Wall-clock time the picture was captured or scheduled for presentation, Unix microseconds. */
  public long captureTimeMicros() {
    return captureTimeMicros;
  }

  /** Whether the planes come from a pool and are reused once the frame is released. */
  public boolean pooled() {
    return buffer != null && buffer.pooled();
  }

  /**
   * Keeps the planes from being reused until a matching {@link #release()}; returns this frame.
   *
   * @throws IllegalStateException when the planes have already gone back to their pool
   */
  public I420Frame retain() {
    if (buffer != null) {
      buffer.retain();
    }
    return this;
  }

  /**
   * Takes a reference unless the planes have already gone back to their pool; returns whether it
   * did. For a frame whose last holder may be letting go on another thread at the same moment.
   */
  public boolean tryRetain() {
    return buffer == null || buffer.tryRetain();
  }

  /** Gives back a reference: the source's own once its sinks have seen the frame, or one from {@link #retain()}. */
  public void release() {
    if (buffer != null) {
      buffer.release();
    }
  }

  /**
   * This frame when it owns its planes, else a copy with arrays of its own: what to keep of a
   * pooled frame without holding its planes back from reuse. The caller must hold a reference
   * while it copies.
   */
  public I420Frame detached() {
    if (buffer == null) {
      return this;
    }
    return new I420Frame(width, height, copy(yPlane), copy(uPlane), copy(vPlane), captureTimeMicros, arrivalNanos);
  }

  /** Bytes of picture data: the three planes. */
  public int bytes() {
    return width * height + 2 * chromaWidth() * chromaHeight();
  }
}
