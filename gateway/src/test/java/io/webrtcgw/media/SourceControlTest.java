package io.webrtcgw.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.FrameSink;
import io.webrtcgw.source.SourceException;
import io.webrtcgw.source.SourceFactory;
import io.webrtcgw.source.SourceListener;
import io.webrtcgw.source.SourceMeter;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.VideoSource;
import io.webrtcgw.source.camera.NativeCameraDevices;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import io.webrtcgw.testing.WhepClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A source that takes seconds to stop (a camera driver joining its capture thread, a server that
 * never answers a TEARDOWN) holds up only its own stream's control thread: viewers of other
 * streams, new viewers of the same stream and the shared timers (a WHEP session's connect
 * deadline) go on as if nothing happened.
 */
class SourceControlTest {
  private static final Duration STOP_TAKES = Duration.ofSeconds(5);
  private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Gateway gateway;
  private static ViewerPeers peers;
  private static SlowToStop slow;
  private static DecoderSandbox decoders;

  /** A pattern whose stop() blocks for {@link #STOP_TAKES} before stopping it. */
  static final class SlowToStop implements VideoSource {
    private final VideoSource pattern;
    final CountDownLatch stopping = new CountDownLatch(1);
    volatile long stopBegan;
    volatile long stopEnded;

    SlowToStop(VideoSource pattern) {
      this.pattern = pattern;
    }

    @Override
    public String kind() {
      return "slow";
    }

    @Override
    public VideoFormat format() {
      return pattern.format();
    }

    @Override
    public SourceState state() {
      return pattern.state();
    }

    @Override
    public String lastError() {
      return null;
    }

    @Override
    public SourceMeter meter() {
      return pattern.meter();
    }

    @Override
    public void start(FrameSink sink, SourceListener listener) {
      pattern.start(sink, listener);
    }

    @Override
    public void stop() {
      stopBegan = System.nanoTime();
      stopping.countDown();
      try {
        TimeUnit.MILLISECONDS.sleep(STOP_TAKES.toMillis()); // the behaviour under test: a slow stop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pattern.stop();
      stopEnded = System.nanoTime();
    }

    @Override
    public void close() {
      pattern.close();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    Limits limits = new Limits(100, 64 * 1024, CONNECT_DEADLINE, Duration.ofSeconds(5));
    decoders = DecoderSandbox.start();
    SourceFactory real = new SourceFactory(Clock.systemUTC(), new NativeCameraDevices(), decoders);
    gateway = Gateway.start(TestGateway.config(limits, StreamConfig.of("slow", "pattern:320x180@30"),
        StreamConfig.of("fast", "pattern:320x180@30")), Clock.systemUTC(), stream -> {
          VideoSource source = real.open(stream);
          if (stream.name().equals("slow")) {
            slow = new SlowToStop(source);
            return slow;
          }
          return source;
        }, decoders);
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void aSourceThatIsSlowToStopDelaysNoOneElse() throws Exception {
    LoopbackViewer first = LoopbackViewer.watch(peers.factory(), gateway.port(), "slow");
    first.awaitFrames(5, WAIT);
    first.close();
    assertTrue(slow.stopping.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the last viewer's leaving stops the source");

    List<LoopbackViewer> joiners = new ArrayList<>();
    try {
      // New viewers of the stream that is stopping: each is answered at once (the source starts
      // again after the stop), and none holds a thread of the HTTP server while it waits.
      for (int i = 0; i < 4; i++) {
        LoopbackViewer joiner = LoopbackViewer.open(peers.factory(), gateway.port(), "slow");
        joiners.add(joiner);
        joiner.expect("hello", Duration.ofSeconds(2));
        long offered = System.nanoTime();
        joiner.offer(); // returns once the answer is applied
        long answeredAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - offered);
        assertTrue(answeredAfter < 2000, "a joiner of the stopping stream was answered after " + answeredAfter + " ms");
      }
      // A viewer of another stream plays at once.
      try (LoopbackViewer other = LoopbackViewer.watch(peers.factory(), gateway.port(), "fast")) {
        other.awaitFrames(10, Duration.ofSeconds(3));
      }
      // A WHEP viewer that never connects is ended at its deadline by the shared timers.
      HttpResponse<String> created = WhepClient.HTTP.send(HttpRequest.newBuilder(WhepClient.endpoint(gateway.port(), "fast"))
          .header("Content-Type", "application/sdp")
          .POST(HttpRequest.BodyPublishers.ofString(WhepClient.recvonlyOffer())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());
      long posted = System.nanoTime();
      StreamInfo fast = gateway.streams().find("fast").orElseThrow().info();
      assertEquals(1, fast.viewers(), "the WHEP session holds a viewer slot");
      Await.until("the unconnected WHEP session ends at its deadline",
          () -> gateway.streams().find("fast").orElseThrow().viewers() == 0,
          CONNECT_DEADLINE.plusMillis(1500));
      long endedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - posted);
      assertTrue(endedAfter >= CONNECT_DEADLINE.toMillis() - 100, "not before its deadline: " + endedAfter + " ms");
      assertEquals(0, slow.stopEnded, "all of this happened while the slow stop was still under way");

      // Once the stop is over, the stream's source starts again for the viewers who joined.
      Await.until("the slow stop ends", () -> slow.stopEnded != 0, WAIT);
      assertTrue(TimeUnit.NANOSECONDS.toMillis(slow.stopEnded - slow.stopBegan) >= STOP_TAKES.toMillis() - 50);
      for (LoopbackViewer joiner : joiners) {
        joiner.awaitFrames(joiner.frameCount() + 10, WAIT);
      }
      assertEquals(SourceState.RUNNING, slow.state(), "started again for the viewers who joined");
    } finally {
      joiners.forEach(LoopbackViewer::close);
    }
  }
}
