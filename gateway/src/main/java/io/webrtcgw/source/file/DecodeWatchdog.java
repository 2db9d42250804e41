package io.webrtcgw.source.file;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Notices a single decode that runs past its time budget. JCodec's decoder never checks for
 * interruption, so a decode looping on damaged data can only be noticed from outside the decoding
 * thread. Checks run on the JDK's shared delay scheduler rather than on a thread of our own.
 */
final class DecodeWatchdog implements AutoCloseable {
  /** Told once, from the checking thread, about the decode that overran. */
  @FunctionalInterface
  interface Overrun {
    void onOverrun(int sample);
  }

  private final long budgetNanos;
  private final Overrun overrun;
  private final Executor checks;
  /** When the current decode began (never 0 while one runs), or 0 between decodes. */
  private volatile long startedAt;
  private volatile int sample;
  private volatile boolean closed;

  DecodeWatchdog(long budgetNanos, Overrun overrun) {
    this.budgetNanos = budgetNanos;
    this.overrun = overrun;
    long period = Math.max(
        TimeUnit.MILLISECONDS.toNanos(20), Math.min(TimeUnit.SECONDS.toNanos(1), budgetNanos / 4));
    // Runnable::run keeps the tiny check on the scheduler's own thread instead of the common pool,
    // where busy tasks could delay it.
    this.checks = CompletableFuture.delayedExecutor(period, TimeUnit.NANOSECONDS, Runnable::run);
  }

  void start() {
    checks.execute(this::check);
  }

  void begin(int sample) {
    this.sample = sample;
    startedAt = System.nanoTime() | 1;
  }

  void end() {
    startedAt = 0;
  }

  private void check() {
    if (closed) {
      return;
    }
    long started = startedAt;
    if (started != 0 && System.nanoTime() - started > budgetNanos) {
      closed = true;
      overrun.onOverrun(sample);
      return;
    }
    checks.execute(this::check);
  }

  @Override
  public void close() {
    closed = true;
  }
}
