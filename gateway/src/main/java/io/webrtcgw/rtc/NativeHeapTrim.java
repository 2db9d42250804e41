package io.webrtcgw.rtc;

import io.webrtcgw.signaling.EndReason;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the native memory of ended sessions back to the system once viewers stop coming and going.
 *
 * <p>libwebrtc frees a session's encoder, transport and buffers through glibc's malloc, which keeps
 * freed pages of its arenas resident; one burst of allocation (e.g. the JIT compiling a hot method,
 * or many viewers at once) leaves an arena tens of MB larger, and later sessions spread over all
 * of it. The JVM's own {@code System.trim_native_heap} command ({@code malloc_trim}) returns the
 * free pages. It runs on the gateway's timer thread once no session has ended for {@link #QUIET},
 * and at most every {@link #MAX_INTERVAL} under constant churn.
 */
public final class NativeHeapTrim implements SessionRegistry.Listener {
  private static final Logger log = LoggerFactory.getLogger(NativeHeapTrim.class);
  static final Duration QUIET = Duration.ofSeconds(2);
  static final Duration MAX_INTERVAL = Duration.ofSeconds(60);

  /** What actually trims; a failure disables trimming for good. */
  interface Trimmer {
    String trim() throws Exception;
  }

  /** Runs a task once after a delay. */
  interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  private final Scheduler scheduler;
  private final Trimmer trimmer;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();
  private boolean pending; // guarded by lock
  private long lastEnd; // guarded by lock
  private long lastTrim; // guarded by lock
  private volatile boolean disabled;

  /** Trims on {@code timers}; once they are shut down, no more. */
  public NativeHeapTrim(ScheduledExecutorService timers) {
    this((task, delayNanos) -> {
      try {
        timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        // the gateway is stopping: nothing left to give back
      }
    }, NativeHeapTrim::trimThroughDiagnosticCommand, System::nanoTime);
  }

  NativeHeapTrim(Scheduler scheduler, Trimmer trimmer, LongSupplier nanoTime) {
    this.scheduler = scheduler;
    this.trimmer = trimmer;
    this.nanoTime = nanoTime;
    this.lastTrim = nanoTime.getAsLong();
  }

  @Override
  public void ended(Session session, EndReason reason) {
    if (disabled) {
      return;
    }
    synchronized (lock) {
      lastEnd = nanoTime.getAsLong();
      if (!pending) {
        pending = true;
        scheduler.schedule(this::due, QUIET.toNanos());
      }
    }
  }

  private void due() {
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      long quietFor = now - lastEnd;
      if (quietFor < QUIET.toNanos() && now - lastTrim < MAX_INTERVAL.toNanos()) {
        scheduler.schedule(this::due, QUIET.toNanos() - quietFor);
        return;
      }
      pending = false;
      lastTrim = now;
    }
    try {
      String result = trimmer.trim();
      if (result.contains("Not available")) {
        throw new UnsupportedOperationException(result);
      }
      // One line per quiet spell: "native heap trimmed: RSS+Swap: 270M->240M (-30320K)".
      log.info("native heap trimmed: {}", result.replaceFirst("^Trim native heap: ", ""));
    } catch (Exception e) {
      disabled = true;
      log.info("native heap trimming is not available on this JVM ({}); freed native memory stays resident",
          e.toString());
    }
  }

  /** {@code jcmd PID System.trim_native_heap}, in-process: OpenJDK 17.0.9 and later on glibc. */
  private static String trimThroughDiagnosticCommand() throws JMException {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName command = new ObjectName("com.sun.management:type=DiagnosticCommand");
    return String.valueOf(server.invoke(command, "systemTrimNativeHeap", new Object[0], new String[0])).trim();
  }
}
