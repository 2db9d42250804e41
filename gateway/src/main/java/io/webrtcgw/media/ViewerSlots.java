package io.webrtcgw.media;

import java.util.concurrent.atomic.AtomicInteger;

/** A counter with a hard ceiling, exact under concurrent acquires. */
public class ViewerSlots {
  private final int limit;
  private final AtomicInteger used = new AtomicInteger();

  /** @param limit 0 or less means no ceiling */
  public ViewerSlots(int limit) {
    this.limit = limit <= 0 ? Integer.MAX_VALUE : limit;
  }

  public boolean tryAcquire() {
    while (true) {
      int now = used.get();
      if (now >= limit) {
        return false;
      }
      if (used.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  public void release() {
    used.decrementAndGet();
  }

  public int used() {
    return used.get();
  }

  public int limit() {
    return limit;
  }
}
