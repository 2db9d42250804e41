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
 */
public final class CameraSource implements VideoSource {
  private static final Logger log = LoggerFactory.getLogger(CameraSource.class);
  private final SourceMeter meter = new SourceMeter();
  public static final Duration RETRY_INTERVAL = Duration.ofSeconds(3);
  public static final Duration STALL_TIMEOUT = Duration.ofSeconds(3);

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
  private FrameSink sink;
  private SourceListener listener = SourceListener.NONE;
  private Capture capture;
  private Mode mode;
  private SourceState state = SourceState.IDLE;
  private String lastError;
  private long lastFrameMillis;
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

  @Override
  public String kind() {
    return "camera";
  }

  @Override
  public VideoFormat format() {
    synchronized (lock) {
      return new VideoFormat(mode.width(), mode.height(), mode.fps());
    }
  }

  @Override
  public SourceMeter meter() {
    return meter;
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
    synchronized (lock) {
      if (!started) {
        return;
      }
      if (capture != null) {
        if (clock.millis() - lastFrameMillis > stallTimeout.toMillis()) {
          closeCapture();
          becomeUnavailable(selector.describe() + " stopped delivering frames (unplugged?); retrying every "
              + retryInterval.toSeconds() + " s");
        }
        return;
      }
      List<Camera> cameras;
      try {
        cameras = devices.list();
      } catch (RuntimeException | Error e) {
        becomeUnavailable("cannot list cameras: " + e.getMessage());
        return;
      }
      Optional<Camera> camera = selector.pick(cameras);
      if (camera.isEmpty()) {
        becomeUnavailable((cameras.isEmpty() ? "no camera is connected" : "no " + selector.describe()
            + " among " + cameras.stream().map(Camera::name).toList()) + "; retrying every "
            + retryInterval.toSeconds() + " s");
        return;
      }
      Mode chosen = selector.closestMode(camera.get());
      try {
        lastFrameMillis = clock.millis();
        capture = devices.open(camera.get(), chosen, this::onFrame);
        mode = chosen;
        lastError = null;
        setState(SourceState.RUNNING, null);
        log.info("stream {}: capturing from '{}' at {}", stream, camera.get().name(), chosen);
      } catch (CameraException e) {
        becomeUnavailable(e.getMessage() + " (busy in another program?); retrying every "
            + retryInterval.toSeconds() + " s");
      }
    }
  }

  private void onFrame(I420Frame frame) {
    FrameSink target;
    synchronized (lock) {
      if (capture == null) {
        return;
      }
      lastFrameMillis = clock.millis();
      target = sink;
    }
    target.onFrame(frame);
  }

  private void becomeUnavailable(String reason) {
    if (state != SourceState.UNAVAILABLE || !reason.equals(lastError)) {
      log.warn("stream {}: {}", stream, reason);
    }
    lastError = reason;
    setState(SourceState.UNAVAILABLE, reason);
  }

  private void setState(SourceState next, String error) {
    boolean changed = state != next;
    state = next;
    if (changed) {
      listener.onStateChange(next, error);
    }
  }

  private void closeCapture() {
    if (capture != null) {
      try {
        capture.close();
      } catch (RuntimeException | Error e) {
        log.warn("stream {}: closing the camera failed: {}", stream, e.toString());
      }
      capture = null;
    }
  }

  @Override
  public void stop() {
    ScheduledExecutorService toStop;
    synchronized (lock) {
      if (!started) {
        return;
      }
      started = false;
      checks.cancel(false);
      closeCapture();
      state = SourceState.IDLE;
      toStop = scheduler;
      scheduler = null;
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
