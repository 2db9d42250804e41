package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.media.StreamBusyException;
import io.webrtcgw.media.ViewerSlots;
import io.webrtcgw.signaling.Candidate;
import io.webrtcgw.signaling.EndReason;
import io.webrtcgw.signaling.ErrorCode;
import io.webrtcgw.signaling.ViewerPort;
import io.webrtcgw.source.VideoFormat;
import io.webrtcgw.source.pattern.PatternSource;
import io.webrtcgw.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutdown ends every session, also one whose opening was under way while it ran. */
class SessionRegistryShutdownTest {
  private static final ViewerPort SILENT = new ViewerPort() {
    @Override
    public void answer(String sdp) {}

    @Override
    public void candidate(Candidate candidate) {}

    @Override
    public void error(ErrorCode code, String message) {}

    @Override
    public void ended(EndReason reason) {}

    @Override
    public String peer() {
      return "test";
    }
  };

  /** Gateway-wide slots that hold the first taker until told: the opening is then mid-way. */
  static final class HeldSlots extends ViewerSlots {
    final CountDownLatch taking = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);

    HeldSlots() {
      super(0);
    }

    @Override
    public boolean tryAcquire() {
      taking.countDown();
      try {
        go.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.tryAcquire();
    }
  }

  @Test
  void aSessionOpenedWhileShutdownRunsIsEndedToo() throws Exception {
    RtcEngine engine = new RtcEngine(List.of());
    HeldSlots slots = new HeldSlots();
    LiveStream stream = new LiveStream(StreamConfig.of("s", "pattern:"),
        new PatternSource("s", new VideoFormat(64, 16, 5), Clock.systemUTC()), slots);
    engine.attach(stream);
    SessionRegistry registry = new SessionRegistry(engine, Duration.ofSeconds(5), Clock.systemUTC());
    try {
      CompletableFuture<Session> opening = CompletableFuture.supplyAsync(() -> {
        try {
          return registry.open(stream, SILENT, registry.newId());
        } catch (StreamBusyException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      assertTrue(slots.taking.await(10, TimeUnit.SECONDS), "the opening reached the stream");
      registry.close(); // closeAll finds no session yet: the opening is still taking its slot
      slots.go.countDown();
      try {
        Session late = opening.get(10, TimeUnit.SECONDS);
        assertEquals(EndReason.SHUTDOWN, late.ended().get(10, TimeUnit.SECONDS), "the late session was ended");
      } catch (ExecutionException e) {
        assertInstanceOf(StreamBusyException.class, e.getCause().getCause() == null ? e.getCause() : e.getCause().getCause());
      }
      Await.until(() -> registry.count() + " sessions left after shutdown", () -> registry.count() == 0,
          Duration.ofSeconds(10));
      Await.until("the late viewer's slot is given back", () -> stream.viewers() == 0, Duration.ofSeconds(10));
    } finally {
      stream.close();
      engine.close();
    }
  }
}
