package io.webrtcgw.source.camera;

import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.camera.CameraDevices.Camera;
import io.webrtcgw.source.camera.CameraDevices.CameraException;
import io.webrtcgw.source.camera.CameraDevices.Capture;
import io.webrtcgw.source.camera.CameraDevices.Mode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local camera. A missing, busy or unplugged camera makes the stream {@code unavailable}, never
 * the gateway: the source checks again every retry interval and resumes by itself when the camera
 * is back. A camera that stops delivering frames (unplugged mid-stream) is treated the same way.
 *
 * <p>Frames arrive on libwebrtc's capture thread and take no lock here: closing a capture joins
 * that thread (libwebrtc's StopCapture), so a lock the frame path waited on could never be held
 * while closing. Captures are therefore taken out under the lock and closed after it.
 */
public final class CameraSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(CameraSource.class);
  public static final Duration RETRY_INTERVAL = Duration.ofSeconds(3);
  public static final Duration STALL_TIMEOUT = Duration.ofSeconds(3);

  private final SourceMeter meter = new SourceMeter();
  private final String stream;
  private final CameraSelector selector;
  private final CameraDevices devices;
  private final Clock clock;
  private final Duration retryInterval;
  private final Duration stallTimeout;
  private final Object lock = new Object();

  // Guarded by lock.
  private ScheduledExecutorService scheduler;
  private ScheduledFuture<?> checks;
  private SourceListener listener = SourceListener.NONE;
  private FrameSink sink;
  private Run run;
  private Mode mode;
  private SourceState state = SourceState.IDLE;
  private String lastError;
  private boolean started;

  public CameraSource(String stream, CameraSelector selector, CameraDevices devices, Clock clock,
      Duration retryInterval, Duration stallTimeout) {
    this.stream = stream;
    this.selector = selector;
    this.devices = devices;
    this.clock = clock;
    this.retryInterval = retryInterval;
    this.stallTimeout = stallTimeout;
    this.mode = selector.wanted();
  }

  /** One open capture: what its frames go to, and when the last one came. */
  private final class Run {
    final FrameSink sink;
    volatile Capture capture;
    volatile long lastFrameMillis;
    volatile boolean live = true;

    Run(FrameSink sink) {
      this.sink = sink;
      this.lastFrameMillis = clock.millis();
    }

    /** On the capture thread: never blocks, never locks. */
    void onFrame(I420Frame frame) {
      if (!live) {
        return;
      }
      lastFrameMillis = clock.millis();
      sink.onFrame(frame);
    }

    /** Stops delivering at once; the capture is closed by the caller, outside the lock. */
    Capture end() {
      live = false;
      return capture;
    }
  }

  @Override
  public String kind() {
    return "camera";
  }

  @Override
  public SourceMeter meter() {
    return meter;
  }

  @Override
  public VideoFormat format() {
    synchronized (lock) {
      return new VideoFormat(mode.width(), mode.height(), mode.fps());
    }
  }

  @Override
  public SourceState state() {
    synchronized (lock) {
      return state;
    }
  }

  @Override
  public String lastError() {
    synchronized (lock) {
      return lastError;
    }
  }

  @Override
  public void start(FrameSink sink, SourceListener listener) {
    synchronized (lock) {
      if (started) {
        return;
      }
      started = true;
      this.sink = sink;
      this.listener = listener;
      scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "camera-" + stream);
        thread.setDaemon(true);
        return thread;
      });
      checks = scheduler.scheduleWithFixedDelay(this::check, 0, retryInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One health check: opens the camera when not capturing, and gives a stalled capture up. Runs on
   * the source's own thread; tests call it directly with a fake clock.
   */
  void check() {
    Capture stalled = null;
    Notice notice;
    synchronized (lock) {
      if (!started) {
        return;
      }
      if (run != null) {
        if (clock.millis() - run.lastFrameMillis <= stallTimeout.toMillis()) {
          return;
        }
        stalled = run.end();
        run = null;
        notice = becomeUnavailable(selector.describe() + " stopped delivering frames (unplugged?); retrying every "
            + retryInterval.toSeconds() + " s");
      } else {
        notice = open();
      }
    }
    if (stalled != null) {
      closeCapture(stalled);
    }
    if (notice != null) {
      notice.tell();
    }
  }

  /** Looks for the camera and opens it; under the lock. Returns what to tell the listener, if anything. */
  private Notice open() {
    List<Camera> cameras;
    try {
      cameras = devices.list();
    } catch (RuntimeException | Error e) {
      return becomeUnavailable("cannot list cameras: " + e.getMessage());
    }
    Optional<Camera> camera = selector.pick(cameras);
    if (camera.isEmpty()) {
      return becomeUnavailable((cameras.isEmpty() ? "no camera is connected" : "no " + selector.describe()
          + " among " + cameras.stream().map(Camera::name).toList()) + "; retrying every "
          + retryInterval.toSeconds() + " s");
    }
    Mode chosen = selector.closestMode(camera.get());
    Run next = new Run(sink);
    try {
      next.capture = devices.open(camera.get(), chosen, next::onFrame);
    } catch (CameraException e) {
      next.end();
      return becomeUnavailable(e.getMessage() + " (busy in another program?); retrying every "
          + retryInterval.toSeconds() + " s");
    }
    run = next;
    mode = chosen;
    lastError = null;
    log.info("stream {}: capturing from '{}' at {}", stream, camera.get().name(), chosen);
    return setState(SourceState.RUNNING, null);
  }

  /** A state change to tell the listener once the lock is released. */
  private record Notice(SourceListener listener, SourceState state, String error) {
    void tell() {
      listener.onStateChange(state, error);
    }
  }

  private Notice becomeUnavailable(String reason) {
    if (state != SourceState.UNAVAILABLE || !reason.equals(lastError)) {
      log.warn("stream {}: {}", stream, reason);
    }
    lastError = reason;
    return setState(SourceState.UNAVAILABLE, reason);
  }

  private Notice setState(SourceState next, String error) {
    boolean changed = state != next;
    state = next;
    return changed ? new Notice(listener, next, error) : null;
  }

  private void closeCapture(Capture capture) {
    try {
      capture.close();
    } catch (RuntimeException | Error e) {
      log.warn("stream {}: closing the camera failed: {}", stream, e.toString());
    }
  }

  @Override
  public void stop() {
    ScheduledExecutorService toStop;
    Capture toClose = null;
    synchronized (lock) {
      if (!started) {
        return;
      }
      started = false;
      checks.cancel(false);
      if (run != null) {
        toClose = run.end();
        run = null;
      }
      state = SourceState.IDLE;
      toStop = scheduler;
      scheduler = null;
    }
    if (toClose != null) {
      closeCapture(toClose);
    }
    toStop.shutdown();
    try {
      toStop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
