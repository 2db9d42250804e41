package io.webrtcgw.media;

import dev.onvoid.webrtc.media.video.VideoTrack;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named stream: its source, decoded once, and the shared track every viewer's peer connection
 * sends. The source runs while someone watches (or always, if configured).
 */
public final class LiveStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveStream.class);

  private final StreamConfig config;
  private final VideoSource source;
  private final TrackFeed feed;
  private final VideoTrack track;
  private final ViewerSlots streamSlots;
  private final ViewerSlots gatewaySlots;
  private final CopyOnWriteArrayList<SourceListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong framesIn = new AtomicLong();
  private final Queue<CompletableFuture<I420Frame>> frameWaiters = new ConcurrentLinkedQueue<>();
  private volatile I420Frame latest;
  private int running;
  private boolean closed;

  /**
   * @param trackFactory makes the shared track on the feed's native source, e.g. {@code
   *     RtcEngine::createVideoTrack}
   */
  public LiveStream(
      StreamConfig config,
      VideoSource source,
      BiFunction<String, dev.onvoid.webrtc.media.video.VideoTrackSource, VideoTrack> trackFactory,
      ViewerSlots gatewaySlots) {
    this.config = config;
    this.source = source;
    this.gatewaySlots = gatewaySlots;
    this.streamSlots = new ViewerSlots(config.maxViewers());
    this.feed = new TrackFeed();
    this.track = trackFactory.apply("video-" + config.name(), feed.nativeSource());
    if (config.alwaysOn()) {
      startSource();
    }
  }

  public String name() {
    return config.name();
  }

  public VideoTrack track() {
    return track;
  }

  public VideoSource source() {
    return source;
  }

  public int viewers() {
    return streamSlots.used();
  }

  /** The most recent frame, or null before the first; shared, never to be modified. */
  public I420Frame latestFrame() {
    return latest;
  }

  public long framesIn() {
    return framesIn.get();
  }

  /** Bytes of picture copied on the way to libwebrtc; see {@link TrackFeed#bytesCopied()}. */
  public long bytesCopied() {
    return feed.bytesCopied();
  }

  /** Frames handed to libwebrtc's shared track so far. */
  public long framesPushed() {
    return feed.framesPushed();
  }

  /** Whether the source runs, for viewers, a hold or because it is always on. */
  public synchronized boolean sourceRunning() {
    return running > 0 && !closed;
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
    startSource();
    return new Hold();
  }

  public void addListener(SourceListener listener) {
    listeners.add(listener);
  }

  public void removeListener(SourceListener listener) {
    listeners.remove(listener);
  }

  /**
   * Takes a viewer slot and makes sure the source runs; the returned lease gives both back once.
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
    startSource();
    return new Lease();
  }

  public StreamInfo info() {
    VideoFormat format = source.format();
    I420Frame last = latest;
    int width = last == null ? format.width() : last.width();
    int height = last == null ? format.height() : last.height();
    SourceMeter meter = source.meter();
    return new StreamInfo(name(), source.kind(), source.state(), width, height, format.fps(), viewers(),
        meter.codec(), Math.round(meter.measuredFps() * 10) / 10.0, meter.bitrateIn(), meter.framesDropped(),
        meter.packetsLost(), meter.reconnects(), source.lastError());
  }

  private synchronized void startSource() {
    if (closed) {
      throw new IllegalStateException("stream '" + name() + "' is closed");
    }
    if (running++ == 0) {
      log.info("stream {}: starting {} source", name(), source.kind());
      source.start(this::onFrame, this::onSourceState);
    }
  }

  private synchronized void stopSource() {
    if (--running == 0 && !closed) {
      log.info("stream {}: no viewer or hold left, stopping source", name());
      source.stop();
    }
  }

  private void onFrame(I420Frame frame) {
    latest = frame;
    framesIn.incrementAndGet();
    feed.onFrame(frame);
    source.meter().delivered(frame.arrivalNanos());
    CompletableFuture<I420Frame> waiter;
    while ((waiter = frameWaiters.poll()) != null) {
      waiter.complete(frame);
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
   * Stops the source and disposes the shared track and native source. Every session using the
   * track must have been closed first.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    running = 0;
    closeQuietly("source", source::close);
    closeQuietly("track", track::dispose);
    closeQuietly("feed", feed::close);
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
        stopSource();
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
        stopSource();
      }
    }
  }
}
