package io.webrtcgw.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pooled frame planes: bounded, reused only once every holder let go, never handed out twice. */
class FramePoolTest {
  private static final long WAIT = TimeUnit.SECONDS.toNanos(5);

  @Test
  void buffersAreMadeOnDemandUpToTheCapacityAndReusedAfterTheLastRelease() throws Exception {
    try (FramePool pool = new FramePool(64, 36, 2)) {
      FrameBuffer a = pool.acquire(0, WAIT);
      FrameBuffer b = pool.acquire(0, WAIT);
      assertNull(pool.tryAcquire(), "both buffers held");
      assertEquals(2, pool.held());

      I420Frame frame = a.frame(10, 0);
      frame.retain(); // a sink keeps it
      frame.release(); // the source lets go
      assertNull(pool.tryAcquire(), "still held by the sink");
      frame.release();
      FrameBuffer again = pool.tryAcquire();
      assertSame(a, again, "the released buffer comes back");
      assertEquals(2, pool.made());
      again.release();
      b.release();
      for (int i = 0; i < 100; i++) {
        pool.acquire(0, WAIT).release();
      }
      assertEquals(2, pool.made(), "a hundred frames through two buffers");
      assertEquals(2, pool.peakHeld());
    }
  }

  @Test
  void aReserveLeavesBuffersThatOnlyAnAcquisitionWithoutOneMayTake() throws Exception {
    try (FramePool pool = new FramePool(16, 16, 3)) {
      FrameBuffer ahead = pool.acquire(2, WAIT);
      assertNotNull(ahead);
      assertNull(pool.acquire(2, 0), "decoding ahead leaves two for playback");
      FrameBuffer head = pool.acquire(0, 0);
      FrameBuffer head2 = pool.acquire(0, 0);
      assertNotNull(head);
      assertNotNull(head2);
      CompletableFuture<FrameBuffer> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return pool.acquire(0, WAIT);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      head.release();
      FrameBuffer woken = waiting.get(5, TimeUnit.SECONDS);
      assertSame(head, woken, "a waiter gets the buffer released");
    }
  }

  @Test
  void releasesAreCountedAndAReleasedFrameCannotBeRetainedAgain() throws Exception {
    try (FramePool pool = new FramePool(16, 16, 1)) {
      FrameBuffer buffer = pool.acquire(0, WAIT);
      I420Frame frame = buffer.frame(0, 0);
      assertTrue(frame.pooled());
      frame.release();
      assertFalse(frame.tryRetain(), "its planes are back in the pool");
      assertThrows(IllegalStateException.class, frame::retain);
      assertThrows(IllegalStateException.class, frame::release, "released twice");
    }
  }

  @Test
  void closingWakesWaitersWithNothing() throws Exception {
    FramePool pool = new FramePool(16, 16, 1);
    FrameBuffer held = pool.acquire(0, WAIT);
    CompletableFuture<FrameBuffer> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return pool.acquire(0, WAIT);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    pool.close();
    pool.close();
    assertNull(waiting.get(5, TimeUnit.SECONDS));
    held.release();
    assertNull(pool.tryAcquire());
  }

  @Test
  void aDetachedCopyOwnsArraysWhileTheDirectPlanesAreReused() throws Exception {
    try (FramePool pool = new FramePool(4, 2, 1)) {
      FrameBuffer buffer = pool.acquire(0, WAIT);
      buffer.planes().put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
      I420Frame frame = buffer.frame(77, 5);
      I420Frame kept = frame.detached();
      assertNotSame(frame, kept);
      assertFalse(kept.pooled());
      assertSame(kept, kept.detached(), "a frame with arrays of its own is kept as it is");
      frame.release();
      FrameBuffer reused = pool.tryAcquire();
      reused.planes().put(new byte[12]);
      assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, kept.y());
      assertArrayEquals(new byte[] {9, 10}, kept.u());
      assertArrayEquals(new byte[] {11, 12}, kept.v());
      assertEquals(77, kept.captureTimeMicros());
      assertEquals(5, kept.arrivalNanos());
    }
  }
}
