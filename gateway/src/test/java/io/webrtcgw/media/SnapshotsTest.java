package io.webrtcgw.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots of a stream whose source is driven by hand. */
class SnapshotsTest {
  private static ExecutorService releases;

  @BeforeAll
  static void start() {
    releases = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    releases.shutdownNow();
  }

  /** A source that emits only when told to. */
  static final class ManualSource implements VideoSource {
    private final SourceMeter meter = new SourceMeter();

    @Override
    public SourceMeter meter() {
      return meter;
    }

    volatile FrameSink sink;
    volatile int starts;
    volatile int stops;

    @Override
    public String kind() {
      return "manual";
    }

    @Override
    public VideoFormat format() {
      return new VideoFormat(64, 32, 30);
    }

    @Override
    public SourceState state() {
      return sink == null ? SourceState.IDLE : SourceState.RUNNING;
    }

    @Override
    public String lastError() {
      return null;
    }

    @Override
    public synchronized void start(FrameSink sink, SourceListener listener) {
      starts++;
      this.sink = sink;
    }

    @Override
    public synchronized void stop() {
      stops++;
      sink = null;
    }

    @Override
    public void close() {
      stop();
    }
  }

  /** Sources start on the stream's control thread, soon after the demand. */
  private static void awaitStarted(ManualSource source) {
    io.webrtcgw.testing.Await.until("the snapshot started the idle source", () -> source.starts == 1,
        Duration.ofSeconds(5));
  }

  private static LiveStream stream(ManualSource source) {
    return new LiveStream(StreamConfig.of("manual", "pattern:"), source, new ViewerSlots(0));
  }

  @Test
  void idleSourceWithoutAFrameGivesAReasonAndIsReleased() {
    ManualSource source = new ManualSource();
    try (LiveStream stream = stream(source)) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> new Snapshots(Duration.ofMillis(200), releases).frame(stream).get(5, TimeUnit.SECONDS));
      assertInstanceOf(Snapshots.SnapshotUnavailableException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("produced no frame within 200 ms"), e.getCause().getMessage());
      awaitStarted(source);
      io.webrtcgw.testing.Await.until("the hold is released", () -> source.stops == 1, Duration.ofSeconds(5));
    }
  }

  @Test
  void idleSourceIsStartedForItsFirstFrame() throws Exception {
    ManualSource source = new ManualSource();
    try (LiveStream stream = stream(source)) {
      var pending = new Snapshots(Duration.ofSeconds(5), releases).frame(stream);
      awaitStarted(source);
      I420Frame frame = I420Frame.allocate(64, 32, 1);
      source.sink.onFrame(frame);
      assertSame(frame, pending.get(5, TimeUnit.SECONDS));
      io.webrtcgw.testing.Await.until("the hold is released", () -> source.stops == 1, Duration.ofSeconds(5));
    }
  }

  @Test
  void runningSourceGivesItsLatestFrameAtOnce() throws Exception {
    ManualSource source = new ManualSource();
    try (LiveStream stream = stream(source); LiveStream.Lease viewer = stream.join()) {
      awaitStarted(source);
      I420Frame frame = I420Frame.allocate(64, 32, 1);
      source.sink.onFrame(frame);
      assertSame(stream, viewer.stream());
      assertSame(frame, new Snapshots(Duration.ofMillis(1), releases).frame(stream).get(1, TimeUnit.SECONDS));
      assertEquals(1, source.starts);
      assertEquals(0, source.stops);
    }
  }
}
