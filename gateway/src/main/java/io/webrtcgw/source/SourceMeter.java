package io.webrtcgw.source;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What a source counts about itself, for {@code /api/streams} and the metrics: bytes and frames
 * in, decode time, drops, losses, reconnects, and the delay it adds from arrival to hand-off.
 * Updated on the source's threads, read from any.
 */
public final class SourceMeter {
  private static final int LATENCY_SAMPLES = 1024;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final LongSupplier nanoTime;
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder framesDropped = new LongAdder();
  private final LongAdder packetsLost = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder decodeNanos = new LongAdder();
  private final LongAdder decodes = new LongAdder();
  private final LongAdder bytesCopied = new LongAdder();
  private final Rate frameRate;
  private final Rate byteRate;
  private final long[] latencies = new long[LATENCY_SAMPLES];
  private int latencyCount;
  private volatile String codec;

  public SourceMeter() {
    this(System::nanoTime);
  }

  public SourceMeter(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.frameRate = new Rate(nanoTime);
    this.byteRate = new Rate(nanoTime);
  }

  /** The codec the source receives, e.g. {@code h264}, {@code mjpeg}; null for raw pictures. */
  public void codec(String name) {
    codec = name;
  }

  public String codec() {
    return codec;
  }

  /** Bytes read from the network or disk. */
  public void received(long bytes) {
    bytesIn.add(bytes);
    byteRate.add(bytes);
  }

  /** One picture decoded, in {@code nanos}. */
  public void decoded(long nanos) {
    decodes.increment();
    decodeNanos.add(nanos);
  }

  /**
   * Bytes of picture data copied on the way from the decoder to the frames the source hands on,
   * each pass over a picture counted (the copy into the shared WebRTC track is counted there).
   */
  public void copied(long bytes) {
    bytesCopied.add(bytes);
  }

  public long bytesCopied() {
    return bytesCopied.sum();
  }

  /** Frames given up to stay on time (decoding behind, loss until the next key frame). */
  public void dropped(long frames) {
    framesDropped.add(frames);
  }

  /** RTP packets that never arrived. */
  public void lost(long packets) {
    packetsLost.add(packets);
  }

  /** The source connected again after losing its camera or server. */
  public void reconnected() {
    reconnects.increment();
  }

  /**
   * A frame was handed on; {@code arrivalNanos} is when its last byte arrived (on {@link
   * System#nanoTime}'s axis, or 0 when unknown), so the delay the gateway adds is sampled.
   */
  public void delivered(long arrivalNanos) {
    framesOut.increment();
    frameRate.add(1);
    if (arrivalNanos != 0) {
      long delay = nanoTime.getAsLong() - arrivalNanos;
      synchronized (latencies) {
        latencies[latencyCount++ % LATENCY_SAMPLES] = delay;
      }
    }
  }

  public long bytesIn() {
    return bytesIn.sum();
  }

  public long framesOut() {
    return framesOut.sum();
  }

  public long framesDropped() {
    return framesDropped.sum();
  }

  public long packetsLost() {
    return packetsLost.sum();
  }

  public long reconnects() {
    return reconnects.sum();
  }

  public long decodes() {
    return decodes.sum();
  }

  public long decodeNanos() {
    return decodeNanos.sum();
  }

  /** Frames handed on per second, over the last two seconds. */
  public double measuredFps() {
    return frameRate.perSecond();
  }

  /** Bits received per second, over the last two seconds. */
  public long bitrateIn() {
    return Math.round(byteRate.perSecond() * 8);
  }

  /**
   * The {@code quantile} (0..1) of the arrival-to-hand-off delay over the last frames, in
   * milliseconds, or -1 before the first.
   */
  public double latencyMillis(double quantile) {
    long[] sorted;
    synchronized (latencies) {
      int n = Math.min(latencyCount, LATENCY_SAMPLES);
      if (n == 0) {
        return -1;
      }
      sorted = Arrays.copyOf(latencies, n);
    }
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
    return sorted[index] / 1e6;
  }

  /** Events per second over a sliding window of one-second buckets. */
  private static final class Rate {
    private static final int BUCKETS = 3;
    private final LongSupplier nanoTime;
    private final long[] counts = new long[BUCKETS];
    private final long[] seconds = new long[BUCKETS];

    Rate(LongSupplier nanoTime) {
      this.nanoTime = nanoTime;
      Arrays.fill(seconds, Long.MIN_VALUE);
    }

    synchronized void add(long n) {
      long second = Math.floorDiv(nanoTime.getAsLong(), TimeUnit.SECONDS.toNanos(1));
      int slot = (int) Math.floorMod(second, BUCKETS);
      if (seconds[slot] != second) {
        seconds[slot] = second;
        counts[slot] = 0;
      }
      counts[slot] += n;
    }

    /** The two whole seconds before the current one. */
    synchronized double perSecond() {
      long now = Math.floorDiv(nanoTime.getAsLong(), TimeUnit.SECONDS.toNanos(1));
      long total = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (seconds[i] == now - 1 || seconds[i] == now - 2) {
          total += counts[i];
        }
      }
      return total / (double) (WINDOW_NANOS / TimeUnit.SECONDS.toNanos(1));
    }
  }
}
