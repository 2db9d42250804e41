package io.webrtcgw.media;

import io.webrtcgw.config.EncodingConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named stream: its source, decoded once, and the sinks its frames fan out to (the shared
 * WebRTC track every viewer sends, snapshots). The source runs while someone watches, or always
 * if configured.
 *
 * <p>Starting and stopping the source happen only on the stream's own control thread: a source
 * may take seconds to stop (a camera whose driver joins its capture thread, a server that does
 * not answer a TEARDOWN), and that must never hold up a viewer of another stream, an HTTP I/O
 * thread or a shared timer. Viewers only count demand and wake the control thread.
 */
public final class LiveStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveStream.class);
  /** How long closing waits for the source to stop before the gateway goes on without it. */
  private static final Duration CLOSE_PATIENCE = Duration.ofSeconds(10);

  private final StreamConfig config;
  private final EncodingConfig encoding;
  private final VideoSource source;
  private final ViewerSlots streamSlots;
  private final ViewerSlots gatewaySlots;
  private final CopyOnWriteArrayList<SourceListener> listeners = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<FrameSink> sinks = new CopyOnWriteArrayList<>();
  private final AtomicLong framesIn = new AtomicLong();
  private final Queue<CompletableFuture<I420Frame>> frameWaiters = new ConcurrentLinkedQueue<>();
  private final ExecutorService control;
  /** Viewers, holds and (when always on) the stream itself that want the source running. */
  private final AtomicInteger demand = new AtomicInteger();
  /** The newest frame, retained while it is the newest; guarded by latestLock. */
  private I420Frame latest;
  private final Object latestLock = new Object();
  private volatile boolean closed;
  // Confined to the control thread.
  private boolean running;

  public LiveStream(StreamConfig config, VideoSource source, ViewerSlots gatewaySlots) {
    this(config, EncodingConfig.DEFAULT, source, gatewaySlots);
  }

  /** @param encoding the gateway-wide bitrate policy, which the stream's own maxBitrate lowers */
  public LiveStream(StreamConfig config, EncodingConfig encoding, VideoSource source, ViewerSlots gatewaySlots) {
    this.config = config;
    this.encoding = encoding.limitedTo(config.maxBitrate());
    this.source = source;
    this.gatewaySlots = gatewaySlots;
    this.streamSlots = new ViewerSlots(config.maxViewers());
    this.control = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "stream-" + config.name());
      thread.setDaemon(true);
      return thread;
    });
    if (config.alwaysOn()) {
      want();
    }
  }

  public String name() {
    return config.name();
  }

  public VideoSource source() {
    return source;
  }

  /** What each viewer's encoder of this stream may spend. */
  public EncodingConfig encoding() {
    return encoding;
  }

  public int viewers() {
    return streamSlots.used();
  }

  /**
   * The most recent frame, or null before the first; never to be modified. A frame whose planes
   * the source reuses is copied, so the caller may keep it as long as it likes.
   */
  public I420Frame latestFrame() {
    I420Frame frame;
    synchronized (latestLock) {
      frame = latest;
      if (frame == null || !frame.tryRetain()) {
        return null;
      }
    }
    try {
      return frame.detached();
    } finally {
      frame.release();
    }
  }

  public long framesIn() {
    return framesIn.get();
  }

  /** Adds a consumer of every frame, called on the source's thread; it must not block. */
  public void addSink(FrameSink sink) {
    sinks.add(sink);
  }

  public void removeSink(FrameSink sink) {
    sinks.remove(sink);
  }

  /** Whether someone (a viewer, a hold, always-on) wants the source running. */
  public boolean sourceRunning() {
    return demand.get() > 0 && !closed;
  }

  /**
   * Completes with the next frame the source emits, on the source's thread: continue elsewhere
   * with an {@code ...Async} stage. Nothing starts the source; see {@link #hold()}.
   */
  public CompletableFuture<I420Frame> nextFrame() {
    CompletableFuture<I420Frame> next = new CompletableFuture<>();
    frameWaiters.add(next);
    // A waiter that gives up (a timeout) must not stay queued until the next frame.
    next.whenComplete((frame, error) -> frameWaiters.remove(next));
    return next;
  }

  /**
   * Runs the source without taking a viewer slot, e.g. to take a snapshot of an idle stream; the
   * returned hold lets it stop again once.
   *
   * @throws IllegalStateException when the stream is closed
   */
  public Hold hold() {
    if (closed) {
      throw new IllegalStateException("stream '" + name() + "' is closed");
    }
    want();
    return new Hold();
  }

  public void addListener(SourceListener listener) {
    listeners.add(listener);
  }

  public void removeListener(SourceListener listener) {
    listeners.remove(listener);
  }

  /**
   * Takes a viewer slot and asks for the source to run; the returned lease gives both back once.
   *
   * @throws StreamBusyException when the stream or the gateway is full
   */
  public Lease join() throws StreamBusyException {
    if (!streamSlots.tryAcquire()) {
      throw new StreamBusyException(
          "stream '" + name() + "' already has its maximum of " + streamSlots.limit() + " viewers");
    }
    if (!gatewaySlots.tryAcquire()) {
      streamSlots.release();
      throw new StreamBusyException(
          "the gateway already has its maximum of " + gatewaySlots.limit() + " viewers");
    }
    want();
    return new Lease();
  }

  public StreamInfo info() {
    VideoFormat format = source.format();
    int width;
    int height;
    synchronized (latestLock) {
      width = latest == null ? format.width() : latest.width();
      height = latest == null ? format.height() : latest.height();
    }
    SourceMeter meter = source.meter();
    return new StreamInfo(name(), source.kind(), source.state(), width, height, format.fps(), viewers(),
        meter.codec(), Math.round(meter.measuredFps() * 10) / 10.0, meter.bitrateIn(), meter.framesDropped(),
        meter.packetsLost(), meter.reconnects(), source.lastError());
  }

  private void want() {
    demand.incrementAndGet();
    reconcile();
  }

  private void release() {
    demand.decrementAndGet();
    reconcile();
  }

  /** Wakes the control thread to bring the source in line with the demand. */
  private void reconcile() {
    try {
      control.execute(this::applyDemand);
    } catch (RejectedExecutionException e) {
      // Closed: the source is stopped for good.
    }
  }

  private void applyDemand() {
    if (closed) {
      return;
    }
    boolean wanted = demand.get() > 0;
    try {
      if (wanted && !running) {
        log.info("stream {}: starting {} source", name(), source.kind());
        running = true;
        source.start(this::onFrame, this::onSourceState);
      } else if (!wanted && running) {
        log.info("stream {}: no viewer or hold left, stopping source", name());
        running = false;
        source.stop();
      }
    } catch (RuntimeException e) {
      log.warn("stream {}: {} the source failed: {}", name(), wanted ? "starting" : "stopping", e.toString());
    }
  }

  /** Runs on the source's thread; the frame is valid until this returns unless retained. */
  private void onFrame(I420Frame frame) {
    I420Frame previous;
    synchronized (latestLock) {
      previous = latest;
      latest = frame.retain();
    }
    if (previous != null) {
      previous.release();
    }
    framesIn.incrementAndGet();
    for (FrameSink sink : sinks) {
      try {
        sink.onFrame(frame);
      } catch (RuntimeException e) {
        log.warn("stream {}: frame sink failed", name(), e);
      }
    }
    source.meter().delivered(frame.arrivalNanos());
    CompletableFuture<I420Frame> waiter;
    I420Frame kept = null;
    while ((waiter = frameWaiters.poll()) != null) {
      if (kept == null) {
        kept = frame.detached();
      }
      waiter.complete(kept);
    }
  }

  private void onSourceState(SourceState state, String error) {
    if (error != null) {
      log.warn("stream {}: source {}: {}", name(), state.json(), error);
    }
    for (SourceListener listener : listeners) {
      try {
        listener.onStateChange(state, error);
      } catch (RuntimeException e) {
        log.warn("stream {}: state listener failed", name(), e);
      }
    }
  }

  /**
   * Stops the source for good, on the control thread, waiting a bounded time for it. Sinks are
   * let go of; their owners close them.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      control.execute(() -> closeQuietly("source", source::close));
    } catch (RejectedExecutionException e) {
      return;
    }
    control.shutdown();
    boolean stopped = false;
    try {
      stopped = control.awaitTermination(CLOSE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      if (!stopped) {
        log.warn("stream {}: the source did not stop within {} s", name(), CLOSE_PATIENCE.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sinks.clear();
    if (stopped) {
      I420Frame last;
      synchronized (latestLock) {
        last = latest;
        latest = null;
      }
      if (last != null) {
        last.release();
      }
    }
  }

  private void closeQuietly(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | Error e) {
      log.warn("stream {}: closing {} failed: {}", name(), what, e.toString());
    }
  }

  /** A viewer-less hold that keeps the source running. */
  public final class Hold implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();

    private Hold() {}

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release();
      }
    }
  }

  /** One viewer's hold on the stream. */
  public final class Lease implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease() {}

    public LiveStream stream() {
      return LiveStream.this;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        gatewaySlots.release();
        streamSlots.release();
        LiveStream.this.release();
      }
    }
  }
}
