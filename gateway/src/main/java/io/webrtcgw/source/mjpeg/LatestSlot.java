package io.webrtcgw.source.mjpeg;

import java.util.concurrent.TimeUnit;

/**
 * A one-place hand-off where a newer item replaces one not yet taken: the reader never waits for
 * the decoder, and the decoder always gets the newest picture, so latency cannot pile up.
 */
final class LatestSlot<T> {
  private T item;
  private boolean closed;

  /** Puts {@code next} in the slot; true if it replaced an item that was never taken. */
  synchronized boolean offer(T next) {
    boolean replaced = item != null;
    item = next;
    notifyAll();
    return replaced;
  }

  /** The item, waiting at most {@code millis} for one; null on timeout or once closed. */
  synchronized T take(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (item == null && !closed) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return null;
      }
      wait(left);
    }
    T taken = item;
    item = null;
    return closed ? null : taken;
  }

  synchronized void close() {
    closed = true;
    item = null;
    notifyAll();
  }
}
