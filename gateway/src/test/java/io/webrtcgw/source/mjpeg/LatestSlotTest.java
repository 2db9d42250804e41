package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatestSlotTest {
  @Test
  void aNewerItemReplacesOneNotYetTaken() throws Exception {
    LatestSlot<String> slot = new LatestSlot<>();
    assertFalse(slot.offer("a"));
    assertTrue(slot.offer("b"), "a was never taken: a drop");
    assertEquals("b", slot.take(0));
    assertFalse(slot.offer("c"), "the slot was empty again");
    assertEquals("c", slot.take(0));
    assertNull(slot.take(1), "empty: times out");
  }

  @Test
  void aWaitingTakerGetsTheNextItemAndCloseReleasesIt() throws Exception {
    LatestSlot<String> slot = new LatestSlot<>();
    CompletableFuture<String> taken = CompletableFuture.supplyAsync(() -> {
      try {
        return slot.take(10_000);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    slot.offer("x");
    assertEquals("x", taken.get(5, TimeUnit.SECONDS));

    CompletableFuture<String> released = CompletableFuture.supplyAsync(() -> {
      try {
        return slot.take(10_000);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    slot.close();
    assertNull(released.get(5, TimeUnit.SECONDS));
    slot.offer("late");
    assertNull(slot.take(0), "nothing comes out of a closed slot");
  }
}
