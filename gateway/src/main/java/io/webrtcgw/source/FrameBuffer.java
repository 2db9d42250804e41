package io.webrtcgw.source;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writable I420 planes (tightly packed, as {@link I420Frame} holds them) in direct memory, with a
 * reference count: a decoder fills them (a socket reads straight into them), {@link #frame} shows
 * them to sinks, and once the last holder releases them they go back to their {@link FramePool}
 * for the next picture. A buffer made with {@link #allocate} belongs to no pool and is left to the
 * garbage collector.
 */
public final class FrameBuffer {
  private final FramePool pool;
  private final int width;
  private final int height;
  private final ByteBuffer memory;
  private final ByteBuffer y;
  private final ByteBuffer u;
  private final ByteBuffer v;
  private final AtomicInteger references = new AtomicInteger();

  FrameBuffer(FramePool pool, int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
    }
    this.pool = pool;
    this.width = width;
    this.height = height;
    int luma = width * height;
    int chroma = I420Frame.chromaWidth(width) * I420Frame.chromaHeight(height);
    this.memory = ByteBuffer.allocateDirect(luma + 2 * chroma);
    this.y = memory.slice(0, luma);
    this.u = memory.slice(luma, chroma);
    this.v = memory.slice(luma + chroma, chroma);
  }

  /** A buffer of no pool, for a picture of a size the pool does not hold; held once. */
  public static FrameBuffer allocate(int width, int height) {
    FrameBuffer buffer = new FrameBuffer(null, width, height);
    buffer.references.set(1);
    return buffer;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The three planes one after the other (Y, then Cb, then Cr), position 0; write only while no frame shows it. */
  public ByteBuffer planes() {
    return memory.duplicate().clear();
  }

  /** Luma plane, stride {@link #width()}. */
  public ByteBuffer y() {
    return y.duplicate();
  }

  /** Cb plane, stride {@code ceil(width / 2)}. */
  public ByteBuffer u() {
    return u.duplicate();
  }

  /** Cr plane, stride {@code ceil(width / 2)}. */
  public ByteBuffer v() {
    return v.duplicate();
  }

  /** Bytes of the three planes. */
  public int bytes() {
    return memory.capacity();
  }

  boolean pooled() {
    return pool != null;
  }

  /**
   * The frame that shows these planes; the caller's reference passes to it, so the planes must not
   * be written again.
   */
  public I420Frame frame(long captureTimeMicros, long arrivalNanos) {
    return new I420Frame(this, y, u, v, captureTimeMicros, arrivalNanos);
  }

  /** Called by a pool handing the buffer out. */
  void acquired() {
    if (!references.compareAndSet(0, 1)) {
      throw new IllegalStateException("a pooled frame buffer was handed out while still held");
    }
  }

  void retain() {
    if (!tryRetain()) {
      throw new IllegalStateException("the frame's planes were already released to their pool");
    }
  }

  boolean tryRetain() {
    while (true) {
      int held = references.get();
      if (held <= 0) {
        return false;
      }
      if (references.compareAndSet(held, held + 1)) {
        return true;
      }
    }
  }

  /** Gives back one reference; the last one returns the planes to the pool. */
  public void release() {
    int left = references.decrementAndGet();
    if (left < 0) {
      references.incrementAndGet();
      throw new IllegalStateException("a frame buffer was released more often than it was held");
    }
    if (left == 0 && pool != null) {
      pool.recycle(this);
    }
  }

  /** References held now. */
  public int references() {
    return references.get();
  }
}
