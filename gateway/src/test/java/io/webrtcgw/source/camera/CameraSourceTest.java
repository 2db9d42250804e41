package io.webrtcgw.source.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.camera.CameraDevices.Camera;
import io.webrtcgw.source.camera.CameraDevices.CameraException;
import io.webrtcgw.source.camera.CameraDevices.Capture;
import io.webrtcgw.source.camera.CameraDevices.Mode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The retry logic of the camera source, driven by a fake device list and a fake clock. */
class CameraSourceTest {
  private final FakeClock clock = new FakeClock();
  private final FakeDevices devices = new FakeDevices();
  private final BlockingQueue<SourceState> states = new LinkedBlockingQueue<>();
  private final AtomicInteger frames = new AtomicInteger();
  private CameraSource source;

  private CameraSource start(String uri) throws InterruptedException {
    // A long interval: after the immediate first check the test drives every further check.
    source = new CameraSource("cam", CameraSelector.parse(uri), devices, clock, Duration.ofHours(1), Duration.ofSeconds(3));
    source.start(frame -> frames.incrementAndGet(), (state, error) -> states.add(state));
    return source;
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
  }

  private SourceState nextState() throws InterruptedException {
    SourceState state = states.poll(5, TimeUnit.SECONDS);
    if (state == null) {
      throw new AssertionError("no state change within 5 s");
    }
    return state;
  }

  @Test
  void noCameraIsUnavailableThenRecoversWhenOneIsPlugged() throws Exception {
    start("");
    assertEquals(SourceState.UNAVAILABLE, nextState());
    assertTrue(source.lastError().contains("no camera is connected"), source.lastError());

    devices.plug(new Camera(0, "USB Cam", "/dev/video0", List.of(new Mode(640, 480, 30), new Mode(1280, 720, 30))));
    source.check();
    assertEquals(SourceState.RUNNING, nextState());
    assertEquals(new Mode(1280, 720, 30), devices.openedMode);
    devices.emit();
    assertEquals(1, frames.get());
    assertEquals(null, source.lastError());
  }

  @Test
  void unpluggedMidStreamStallsThenComesBack() throws Exception {
    devices.plug(new Camera(0, "USB Cam", "/dev/video0", List.of(new Mode(1280, 720, 30))));
    start("0");
    assertEquals(SourceState.RUNNING, nextState());

    devices.unplug();
    clock.advance(Duration.ofSeconds(4));
    source.check();
    assertEquals(SourceState.UNAVAILABLE, nextState());
    assertTrue(source.lastError().contains("stopped delivering frames"), source.lastError());
    assertEquals(1, devices.closed.get(), "the stalled capture is closed");

    source.check();
    assertTrue(states.isEmpty(), "still unavailable while the camera is away");

    devices.plug(new Camera(0, "USB Cam", "/dev/video0", List.of(new Mode(1280, 720, 30))));
    source.check();
    assertEquals(SourceState.RUNNING, nextState());
  }

  @Test
  void busyCameraIsUnavailableWithAClearMessage() throws Exception {
    devices.plug(new Camera(0, "USB Cam", "/dev/video0", List.of()));
    devices.busy = true;
    start("USB");
    assertEquals(SourceState.UNAVAILABLE, nextState());
    assertTrue(source.lastError().contains("busy"), source.lastError());
    devices.busy = false;
    source.check();
    assertEquals(SourceState.RUNNING, nextState());
    assertEquals(CameraSelector.DEFAULT_MODE, devices.openedMode, "a camera listing no modes gets the wanted one");
  }

  /**
   * libwebrtc's StopCapture joins its capture thread, which may be inside the frame callback at
   * that moment: stopping (or giving up a stalled capture) while holding a lock that the callback
   * waits on would deadlock, and with it every viewer joining the stream.
   */
  @Test
  void stoppingWhileTheDeviceDeliversFramesNeverDeadlocks() throws Exception {
    ThreadedDevices threaded = new ThreadedDevices();
    threaded.plug(new Camera(0, "USB Cam", "/dev/video0", List.of(new Mode(1280, 720, 30))));
    source = new CameraSource("cam", CameraSelector.parse("0"), threaded, clock, Duration.ofHours(1),
        Duration.ofSeconds(3));
    for (int round = 0; round < 20; round++) {
      source.start(frame -> frames.incrementAndGet(), (state, error) -> states.add(state));
      assertEquals(SourceState.RUNNING, nextState());
      int before = frames.get();
      io.webrtcgw.testing.Await.until("frames flow", () -> frames.get() > before + 3, Duration.ofSeconds(5));
      java.util.concurrent.CompletableFuture<Void> stopped = java.util.concurrent.CompletableFuture.runAsync(source::stop);
      try {
        stopped.get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        source = null; // closing it again would hang this test too
        throw new AssertionError("stop() deadlocked with the capture thread in round " + round + ":\n"
            + threadDump(), e);
      }
      assertEquals(round + 1, threaded.closed.get(), "the capture was closed");
      states.clear();
    }
  }

  private static String threadDump() {
    StringBuilder out = new StringBuilder();
    for (java.lang.management.ThreadInfo info
        : java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, false)) {
      if (info.getThreadName().startsWith("camera-") || info.getThreadName().startsWith("fake-capture")) {
        out.append(info);
      }
    }
    return out.toString();
  }

  @Test
  void selectsByNameIndexAndMode() {
    List<Camera> cameras = List.of(
        new Camera(0, "Integrated Camera", "/dev/video0", List.of(new Mode(640, 480, 30))),
        new Camera(1, "Logitech BRIO", "/dev/video2", List.of(new Mode(1920, 1080, 60), new Mode(1280, 720, 30))));
    assertEquals("Logitech BRIO", CameraSelector.parse("brio").pick(cameras).orElseThrow().name());
    assertEquals("Logitech BRIO", CameraSelector.parse("1").pick(cameras).orElseThrow().name());
    assertEquals("Integrated Camera", CameraSelector.parse("").pick(cameras).orElseThrow().name());
    assertTrue(CameraSelector.parse("7").pick(cameras).isEmpty());
    CameraSelector hd = CameraSelector.parse("1?width=1920&height=1080&fps=60");
    assertEquals(new Mode(1920, 1080, 60), hd.closestMode(cameras.get(1)));
    assertTrue(CameraSelector.listing(List.of()).contains("no cameras"));
    assertTrue(CameraSelector.listing(cameras).contains("1920x1080@60"));
  }

  @Test
  void realDeviceListWorksWithoutHardware() {
    List<Camera> cameras = new NativeCameraDevices().list();
    // This machine may or may not have a camera; the call itself must work and describe them.
    assertTrue(CameraSelector.listing(cameras).length() > 0);
  }

  static final class FakeClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * Delivers frames on a thread of its own as fast as the sink takes them, and, like libwebrtc's
   * StopCapture, joins that thread when the capture is closed.
   */
  static final class ThreadedDevices implements CameraDevices {
    private final List<Camera> cameras = new ArrayList<>();
    final AtomicInteger closed = new AtomicInteger();

    synchronized void plug(Camera camera) {
      cameras.add(camera);
    }

    @Override
    public synchronized List<Camera> list() {
      return List.copyOf(cameras);
    }

    @Override
    public Capture open(Camera camera, Mode mode, Consumer<I420Frame> sink) {
      java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread capture = new Thread(() -> {
        while (running.get()) {
          sink.accept(I420Frame.allocate(64, 16, 0));
          Thread.onSpinWait();
        }
      }, "fake-capture");
      capture.setDaemon(true);
      capture.start();
      return () -> {
        running.set(false);
        try {
          capture.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        closed.incrementAndGet();
      };
    }
  }

  static final class FakeDevices implements CameraDevices {
    private final List<Camera> cameras = new ArrayList<>();
    private Consumer<I420Frame> frames;
    volatile boolean busy;
    volatile Mode openedMode;
    final AtomicInteger closed = new AtomicInteger();

    synchronized void plug(Camera camera) {
      cameras.add(camera);
    }

    synchronized void unplug() {
      cameras.clear();
    }

    void emit() {
      frames.accept(I420Frame.allocate(64, 16, 0));
    }

    @Override
    public synchronized List<Camera> list() {
      return List.copyOf(cameras);
    }

    @Override
    public Capture open(Camera camera, Mode mode, Consumer<I420Frame> sink) throws CameraException {
      if (busy) {
        throw new CameraException("cannot open camera '" + camera.name() + "': device busy");
      }
      openedMode = mode;
      frames = sink;
      return closed::incrementAndGet;
    }
  }
}
