package io.webrtcgw.source;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A bounded set of {@link FrameBuffer}s of one picture size, made as they are first needed and
 * reused after: a source decoding ahead takes one per picture and waits when all are held, so its
 * memory stays within the pool's capacity whatever it decodes. Thread-safe.
 *
 * <p>An acquisition may leave a reserve: buffers that only an acquisition without reserve may
 * take, so that decoding far ahead can never starve the decoding that playback waits for.
 */
public final class FramePool implements AutoCloseable {
  private final int width;
  private final int height;
  private final int capacity;
  private final ArrayDeque<FrameBuffer> free = new ArrayDeque<>();
  private int made; // guarded by this
  private int held; // guarded by this
  private int peakHeld; // guarded by this
  private long acquisitions; // guarded by this
  private boolean closed; // guarded by this

  public FramePool(int width, int height, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a frame pool needs room for at least one frame: " + capacity);
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.capacity = capacity;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Buffers the pool holds at most. */
  public int capacity() {
    return capacity;
  }

  /** Bytes of one buffer's planes. */
  public long frameBytes() {
    return (long) width * height + 2L * I420Frame.chromaWidth(width) * I420Frame.chromaHeight(height);
  }

  /**
   * Takes a free buffer, waiting at most {@code timeoutNanos} for one while fewer than {@code
   * reserve} would be left free (counting those not yet made). Returns null on timeout or once the
   * pool is closed.
   */
  public FrameBuffer acquire(int reserve, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    FrameBuffer buffer;
    synchronized (this) {
      while (!closed && held + Math.max(0, reserve) >= capacity) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      if (closed) {
        return null;
      }
      held++;
      peakHeld = Math.max(peakHeld, held);
      acquisitions++;
      buffer = free.poll();
      if (buffer == null) {
        made++;
      }
    }
    if (buffer == null) {
      // Outside the lock: a 1080p buffer is 3 MB of zeroed memory.
      buffer = new FrameBuffer(this, width, height);
    }
    buffer.acquired();
    return buffer;
  }

  /** Takes a free buffer if one is there, with no reserve; null when all are held. */
  public FrameBuffer tryAcquire() {
    try {
      return acquire(0, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  void recycle(FrameBuffer buffer) {
    synchronized (this) {
      held--;
      if (!closed) {
        free.push(buffer);
      }
      notifyAll();
    }
  }

  /** Buffers held now (handed out and not yet released by every holder). */
  public synchronized int held() {
    return held;
  }

  /** The most buffers ever held at once. */
  public synchronized int peakHeld() {
    return peakHeld;
  }

  /** Buffers made so far: never more than the capacity, however many frames went through. */
  public synchronized int made() {
    return made;
  }

  /** Buffers handed out so far. */
  public synchronized long acquisitions() {
    return acquisitions;
  }

  /** Wakes every waiting acquisition (which then gets null) and lets free buffers go; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    free.clear();
    notifyAll();
  }
}
