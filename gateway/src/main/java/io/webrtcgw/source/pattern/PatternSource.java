package io.webrtcgw.source.pattern;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A synthetic test picture: moving bars and a moving box (so encoders do real work) under a
 * {@link FrameStamp} band that carries capture time and frame number.
 */
public final class PatternSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(PatternSource.class);
  private final SourceMeter meter = new SourceMeter();
  /** Y, U, V of the eight classic bars. */
  private static final int[][] BARS = {
    {235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
    {106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128}
  };

  private final String name;
  private final VideoFormat format;
  private final Clock clock;
  private final Object lock = new Object();
  private Thread thread;
  private volatile boolean running;
  private volatile SourceState state = SourceState.IDLE;
  private int frameNumber;

  public PatternSource(String name, VideoFormat format, Clock clock) {
    if (format.width() < FrameStamp.CELLS || format.height() < 16) {
      throw new IllegalArgumentException(
          "pattern must be at least " + FrameStamp.CELLS + "x16 to carry its stamp: " + format);
    }
    this.name = name;
    this.format = format;
    this.clock = clock;
  }

  @Override
  public String kind() {
    return "pattern";
  }

  @Override
  public VideoFormat format() {
    return format;
  }

  @Override
  public SourceMeter meter() {
    return meter;
  }

  @Override
  public SourceState state() {
    return state;
  }

  @Override
  public String lastError() {
    return null;
  }

  @Override
  public void start(FrameSink sink, SourceListener listener) {
    synchronized (lock) {
      if (thread != null) {
        return;
      }
      running = true;
      state = SourceState.RUNNING;
      thread = new Thread(() -> run(sink), "pattern-" + name);
      thread.setDaemon(true);
      thread.start();
    }
    listener.onStateChange(SourceState.RUNNING, null);
  }

  @Override
  public void stop() {
    Thread toJoin;
    synchronized (lock) {
      toJoin = thread;
      thread = null;
      running = false;
    }
    if (toJoin != null) {
      LockSupport.unpark(toJoin);
      try {
        toJoin.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      state = SourceState.IDLE;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void run(FrameSink sink) {
    long periodNanos = Math.round(1e9 / format.fps());
    // Deadlines advance by a fixed period from one origin, so pacing never drifts however long
    // frame generation takes; a late frame is produced at once rather than skipped.
    long next = System.nanoTime();
    while (running) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      try {
        sink.onFrame(render(frameNumber++));
      } catch (RuntimeException e) {
        log.warn("pattern {}: frame sink failed", name, e);
      }
      next += periodNanos;
      long behind = System.nanoTime() - next;
      if (behind > 10 * periodNanos) {
        next = System.nanoTime();
      }
    }
  }

  /** Renders frame {@code n}; visible for tests and benchmarks. */
  I420Frame render(int n) {
    long nowMicros = TimeUnit.MILLISECONDS.toMicros(clock.millis());
    int width = format.width();
    int height = format.height();
    I420Frame frame = I420Frame.allocate(width, height, nowMicros);
    byte[] y = frame.y();
    byte[] u = frame.u();
    byte[] v = frame.v();
    int band = FrameStamp.bandHeight(height);
    int shift = (n * 4) % width;
    int barWidth = Math.max(1, width / BARS.length);

    for (int row = band; row < height; row++) {
      int base = row * width;
      for (int x = 0; x < width; x++) {
        int bar = ((x + shift) / barWidth) % BARS.length;
        // A faint diagonal ramp on top of the bars adds texture that moves with the frame number.
        int ramp = ((x + row + n * 2) & 63) - 32;
        y[base + x] = (byte) clamp(BARS[bar][0] + ramp / 4);
      }
    }
    int cw = frame.chromaWidth();
    int ch = frame.chromaHeight();
    for (int row = (band + 1) / 2; row < ch; row++) {
      int base = row * cw;
      for (int x = 0; x < cw; x++) {
        int bar = ((x * 2 + shift) / barWidth) % BARS.length;
        u[base + x] = (byte) BARS[bar][1];
        v[base + x] = (byte) BARS[bar][2];
      }
    }
    for (int row = 0; row < (band + 1) / 2; row++) {
      java.util.Arrays.fill(u, row * cw, row * cw + cw, (byte) 128);
      java.util.Arrays.fill(v, row * cw, row * cw + cw, (byte) 128);
    }
    paintBox(frame, n, band);
    new FrameStamp(clock.millis(), n).paint(y, width, width, height);
    return frame;
  }

  /** A box that bounces across the picture, so motion is unmistakable to a person watching. */
  private static void paintBox(I420Frame frame, int n, int top) {
    int width = frame.width();
    int height = frame.height();
    int size = Math.max(8, height / 6) & ~1;
    int spanX = Math.max(1, width - size);
    int spanY = Math.max(1, height - top - size);
    int px = bounce(n * 6, spanX) & ~1;
    int py = (top + bounce(n * 4, spanY)) & ~1;
    byte[] y = frame.y();
    for (int row = py; row < Math.min(height, py + size); row++) {
      java.util.Arrays.fill(y, row * width + px, row * width + Math.min(width, px + size), (byte) 235);
    }
    int cw = frame.chromaWidth();
    for (int row = py / 2; row < Math.min(frame.chromaHeight(), (py + size) / 2); row++) {
      java.util.Arrays.fill(frame.u(), row * cw + px / 2, row * cw + Math.min(cw, (px + size) / 2), (byte) 90);
      java.util.Arrays.fill(frame.v(), row * cw + px / 2, row * cw + Math.min(cw, (px + size) / 2), (byte) 240);
    }
  }

  private static int bounce(int t, int span) {
    int period = 2 * span;
    int m = Math.floorMod(t, period);
    return m < span ? m : period - m;
  }

  private static int clamp(int value) {
    return Math.max(16, Math.min(235, value));
  }
}
