package io.webrtcgw.rtc;

import io.webrtcgw.signaling.EndReason;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the gateway gives freed native memory back: after a quiet spell, or at least every minute. */
class NativeHeapTrimTest {
  private long now = 1_000_000_000L;
  private final List<Due> scheduled = new ArrayList<>();
  private int trims;
  private String result = "Trim native heap: RSS+Swap: 270M->240M (-30320K)";

  private record Due(Runnable task, long at) {}

  private final NativeHeapTrim trim = new NativeHeapTrim(
      (task, delayNanos) -> scheduled.add(new Due(task, now + delayNanos)),
      () -> {
        trims++;
        if (result == null) {
          throw new IllegalStateException("no such operation");
        }
        return result;
      },
      () -> now);

  @Test
  void trimsOnceAfterTheLastSessionEndedAndThingsWentQuiet() {
    trim.ended(null, EndReason.VIEWER_LEFT);
    advance(Duration.ofMillis(500));
    trim.ended(null, EndReason.VIEWER_LEFT);
    trim.ended(null, EndReason.VIEWER_LEFT);
    assertEquals(1, scheduled.size(), "one pending check, however many sessions end");

    runDue();
    assertEquals(0, trims, "a session ended 1.5 s before the check: not quiet yet");
    runDue();
    assertEquals(1, trims);
    assertEquals(0, scheduled.size(), "nothing more to do until another session ends");

    trim.ended(null, EndReason.ICE_FAILED);
    runDue();
    assertEquals(2, trims);
  }

  @Test
  void constantChurnStillTrimsEveryMinute() {
    for (int second = 0; second < 125; second++) {
      trim.ended(null, EndReason.VIEWER_LEFT);
      advance(Duration.ofSeconds(1));
      while (!scheduled.isEmpty() && scheduled.get(0).at() <= now) {
        scheduled.remove(0).task().run();
      }
    }
    assertEquals(2, trims, "sessions ended every second for 125 s");
  }

  @Test
  void aJvmWithoutTheCommandIsAskedOnce() {
    result = null;
    trim.ended(null, EndReason.VIEWER_LEFT);
    runDue();
    trim.ended(null, EndReason.VIEWER_LEFT);
    assertEquals(0, scheduled.size());
    assertEquals(1, trims);

    NativeHeapTrim unsupported = new NativeHeapTrim(
        (task, delayNanos) -> scheduled.add(new Due(task, now + delayNanos)),
        () -> {
          trims++;
          return "Not available on this platform";
        },
        () -> now);
    unsupported.ended(null, EndReason.VIEWER_LEFT);
    runDue();
    unsupported.ended(null, EndReason.VIEWER_LEFT);
    assertEquals(0, scheduled.size());
    assertEquals(2, trims);
  }

  private void advance(Duration by) {
    now += by.toNanos();
  }

  /** Moves the clock to the first pending check and runs it. */
  private void runDue() {
    Due due = scheduled.remove(0);
    now = Math.max(now, due.at());
    due.task().run();
  }
}
