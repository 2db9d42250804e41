package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onvoid.webrtc.media.video.VideoTrackSink;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.ViewerSlots;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.I420Frame;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames reach libwebrtc with one copy each, however many consume them: the stream copies a
 * frame's planes once into a native buffer, and libwebrtc's broadcaster hands that one buffer to
 * every consumer of the shared track (each viewer's encoder in the gateway; sinks here).
 */
class FrameCopyTest {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 360;
  private static final int FRAMES = 20;

  private static ViewerPeers peers;

  @BeforeAll
  static void start() {
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    peers.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 8})
  void eachFrameIsCopiedOnceWhateverTheConsumers(int consumers) {
    ManualSource source = new ManualSource();
    LiveStream stream = new LiveStream(StreamConfig.of("copy", "pattern:"), source, new ViewerSlots(0));
    StreamTrack track = new StreamTrack("copy", peers.factory());
    stream.addSink(track);
    List<LiveStream.Lease> leases = new ArrayList<>();
    List<VideoTrackSink> sinks = new ArrayList<>();
    AtomicInteger delivered = new AtomicInteger();
    try {
      for (int i = 0; i < consumers; i++) {
        leases.add(stream.join());
        VideoTrackSink sink = frame -> {
          delivered.incrementAndGet();
          frame.release();
        };
        sinks.add(sink);
        track.track().addSink(sink);
      }
      Await.until("the source started", () -> source.sink != null, Duration.ofSeconds(5));
      for (int i = 0; i < FRAMES; i++) {
        source.emit(I420Frame.allocate(WIDTH, HEIGHT, i * 33_333L));
      }
      Await.until(() -> delivered.get() + " of " + FRAMES * consumers + " frames delivered",
          () -> delivered.get() == FRAMES * consumers, Duration.ofSeconds(10));
      long frameBytes = (long) WIDTH * HEIGHT + 2L * (WIDTH / 2) * (HEIGHT / 2);
      assertEquals(FRAMES * frameBytes, track.bytesCopied());
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      sinks.forEach(track.track()::removeSink);
      leases.forEach(LiveStream.Lease::close);
      stream.close();
      track.close();
    }
  }

  /** A source the test drives frame by frame, on the test's thread. */
  private static final class ManualSource implements VideoSource {
    private final SourceMeter meter = new SourceMeter();

    @Override
    public SourceMeter meter() {
      return meter;
    }

    private volatile FrameSink sink;

    void emit(I420Frame frame) {
      sink.onFrame(frame);
    }

    @Override
    public String kind() {
      return "manual";
    }

    @Override
    public VideoFormat format() {
      return new VideoFormat(WIDTH, HEIGHT, 30);
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
    public void start(FrameSink sink, SourceListener listener) {
      this.sink = sink;
    }

    @Override
    public void stop() {
      sink = null;
    }

    @Override
    public void close() {
      stop();
    }
  }
}
