package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.config.SourceOptions.Transport;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.source.file.TestClips.Spec;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTSP source against GStreamer's RTSP server (a real third-party implementation) serving
 * ffmpeg-made stamped clips and live x264enc: TCP and UDP, Basic and Digest, and every fault the
 * issue names, each with its one-line reason and its recovery.
 */
class RtspSourceTest {
  private static final Logger log = LoggerFactory.getLogger(RtspSourceTest.class);
  /** Short enough for tests to see several retries; the defaults are checked apart. */
  static final RtspSource.Timing QUICK = new RtspSource.Timing(Duration.ofSeconds(2), Duration.ofSeconds(2),
      Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(1500),
      Duration.ofMillis(300), Duration.ofSeconds(3), Duration.ofSeconds(3));
  private static final Spec CLIP = new Spec("main", 2, 320, 240, "30", 12);

  @TempDir static Path dir;
  private static GstRtspServer clips;
  private static GstRtspServer digest;
  private static GstRtspServer basic;
  private static DecoderSandbox decoders;
  private final List<RtspSource> sources = new ArrayList<>();

  @BeforeAll
  static void servers() throws Exception {
    decoders = DecoderSandbox.start();
    Path clip = TestClips.h264(dir, CLIP);
    clips = GstRtspServer.start("--clip", clip.toString());
    digest = GstRtspServer.start("--live", "320x240@30", "--auth", "digest", "--user", "admin",
        "--password", "p@ss:w0rd");
    basic = GstRtspServer.start("--live", "320x240@30", "--auth", "basic", "--user", "viewer",
        "--password", "s3cret-basic");
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (decoders != null) {
      decoders.close();
    }
    for (GstRtspServer server : new GstRtspServer[] {clips, digest, basic}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @AfterEach
  void closeSources() {
    for (RtspSource source : sources) {
      source.close();
    }
  }

  private RtspSource source(String url, SourceOptions options, RtspSource.Timing timing) {
    RtspSource source = new RtspSource("test", RtspUrl.parse(url), options, Clock.systemUTC(), timing,
        decoders);
    sources.add(source);
    return source;
  }

  /** Frame numbers of the stamped clip must rise by one from frame to frame (B-frames reordered). */
  private static void assertInOrder(List<Recorder.Seen> frames) {
    for (int i = 1; i < frames.size(); i++) {
      int step = frames.get(i).number() - frames.get(i - 1).number();
      assertEquals(1, step, "frame numbers " + frames.stream().map(Recorder.Seen::number).toList());
    }
  }

  private void playsTheClip(Transport transport) {
    RtspSource source = source(clips.url(null), SourceOptions.DEFAULT.withTransport(transport), QUICK);
    Recorder recorder = new Recorder();
    source.start(recorder, recorder);
    recorder.awaitMore(15, Duration.ofSeconds(20));
    long started = System.nanoTime();
    List<Recorder.Seen> frames = recorder.awaitMore(60, Duration.ofSeconds(10));
    double seconds = (frames.get(59).deliveredNanos() - frames.get(0).deliveredNanos()) / 1e9;
    double fps = 59 / seconds;
    log.info("{}: 60 frames in {} s ({} fps), {} ms after the first 15", transport, String.format("%.2f", seconds),
        String.format("%.1f", fps), (System.nanoTime() - started) / 1_000_000);
    assertEquals(CLIP.width(), frames.get(0).width());
    assertEquals(CLIP.height(), frames.get(0).height());
    assertInOrder(frames);
    assertTrue(fps > 24 && fps < 36, "the camera's 30 fps, not faster or slower: " + fps);
    assertEquals(SourceState.RUNNING, source.state());
    assertEquals(CLIP.width(), source.format().width());
    assertEquals(30, source.format().fps(), 0.5, "the rate the RTP timestamps say");
    assertEquals("h264", source.meter().codec());
    assertTrue(source.meter().bytesIn() > 0);
    assertEquals(0, source.meter().packetsLost());
  }

  @Test
  void playsAStampedClipInOrderAtItsRateOverTcp() {
    playsTheClip(Transport.TCP);
  }

  @Test
  void playsAStampedClipInOrderAtItsRateOverUdp() {
    playsTheClip(Transport.UDP);
  }

  @Test
  void digestLoginWithSpecialCharactersInThePassword() {
    RtspSource source = source(digest.url("admin:p@ss:w0rd"), SourceOptions.DEFAULT, QUICK);
    Recorder recorder = new Recorder();
    source.start(recorder, recorder);
    assertEquals(320, recorder.awaitMore(10, Duration.ofSeconds(20)).get(0).width());
    assertFalse(source.maskedUrl().contains("w0rd"), source.maskedUrl());
  }

  @Test
  void basicLoginFromTheOptionsRatherThanTheUrl() {
    RtspSource source = source(basic.url(null), SourceOptions.DEFAULT.withTransport(Transport.UDP)
        .withLogin("viewer", "s3cret-basic"), QUICK);
    Recorder recorder = new Recorder();
    source.start(recorder, recorder);
    recorder.awaitMore(10, Duration.ofSeconds(20));
    assertEquals("rtsp://viewer:***@127.0.0.1:" + basic.port() + "/cam", source.maskedUrl());
  }

  @Test
  void aWrongPasswordIsUnavailableRetriedSlowlyAndNeverPrinted() throws Exception {
    try (LossyRelay relay = new LossyRelay(digest.port(), 0, false)) {
      RtspSource source = source(relay.url("/cam").replace("rtsp://", "rtsp://admin:wr0ngpass@"),
          SourceOptions.DEFAULT, QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      Recorder.Change change = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10));
      assertTrue(change.error().contains("authentication failed"), change.error());
      assertFalse(change.error().contains("wr0ngpass"), change.error());
      assertTrue(change.error().startsWith("rtsp://admin:***@127.0.0.1:"), change.error());
      assertEquals(change.error(), source.lastError());
      long since = System.nanoTime();
      Await.until("a second attempt after the slow retry", () -> relay.connections() >= 3, Duration.ofSeconds(10));
      double seconds = (System.nanoTime() - since) / 1e9;
      assertTrue(seconds >= 2 * QUICK.slowRetry().toMillis() / 1000.0 - 0.5,
          "two retries took " + seconds + " s: at least the slow retry apart, no storm");
      assertEquals(1, recorder.changes().size(), "the viewer hears of it once, not at every retry: " + recorder.changes());
      assertEquals(0, recorder.count());
    }
    assertEquals(Duration.ofSeconds(30), RtspSource.Timing.DEFAULT.slowRetry(), "in production: every 30 s");
  }

  @Test
  void aMissingMountIs404() {
    RtspSource source = source(clips.url(null).replace("/cam", "/nothing"), SourceOptions.DEFAULT, QUICK);
    Recorder recorder = new Recorder();
    source.start(recorder, recorder);
    String error = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
    assertTrue(error.contains("no stream at /nothing (404 Not Found)"), error);
  }

  @Test
  void refusedAndSilentServersSayWhichTheyAre() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    RtspSource refused = source("rtsp://127.0.0.1:" + closedPort + "/cam", SourceOptions.DEFAULT, QUICK);
    Recorder refusedRecorder = new Recorder();
    refused.start(refusedRecorder, refusedRecorder);
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      RtspSource quiet = source("rtsp://127.0.0.1:" + silent.getLocalPort() + "/cam", SourceOptions.DEFAULT,
          RtspSource.Timing.DEFAULT);
      Recorder quietRecorder = new Recorder();
      long started = System.nanoTime();
      quiet.start(quietRecorder, quietRecorder);
      String error = quietRecorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(error.contains("accepted the connection but did not answer OPTIONS in time"), error);
      assertTrue(millis >= RtspSource.Timing.DEFAULT.response().toMillis() - 100, "waited " + millis + " ms");
      quiet.stop();
      assertEquals(SourceState.IDLE, quiet.state());
    }
    String error = refusedRecorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
    assertTrue(error.contains("connection refused by 127.0.0.1:" + closedPort), error);
  }

  @Test
  void h265ContentGivesAReasonThatNamesIt() throws Exception {
    TestClips.assumeEncoder("libx265");
    Path hevc = dir.resolve("hevc.mp4");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "2", "-c:v", "libx265",
        "-x265-params", "log-level=error", "-tag:v", "hvc1", hevc.toString());
    try (GstRtspServer server = GstRtspServer.start("--clip", hevc.toString(), "--h265")) {
      RtspSource source = source(server.url(null), SourceOptions.DEFAULT, QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      String error = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
      assertTrue(error.contains("H.265/HEVC") && error.contains("set the camera's stream to H.264"), error);
    }
  }

  @Test
  void autoFallsBackToTcpWhenTheServerRefusesUdp() throws Exception {
    try (GstRtspServer tcpOnly = GstRtspServer.start("--live", "160x120@30", "--protocols", "tcp")) {
      RtspSource source = source(tcpOnly.url(null), SourceOptions.DEFAULT.withTransport(Transport.AUTO), QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      recorder.awaitMore(10, Duration.ofSeconds(20));
      assertTrue(recorder.changes().stream().noneMatch(c -> c.state() == SourceState.UNAVAILABLE),
          "the 461 leads to TCP at once: " + recorder.changes());
    }
  }

  @Test
  void autoFallsBackToTcpWhenNothingArrivesOverUdp() throws Exception {
    try (LossyRelay blackhole = new LossyRelay(clips.port(), 1, false)) {
      RtspSource source = source(blackhole.url("/cam"), SourceOptions.DEFAULT.withTransport(Transport.AUTO), QUICK);
      Recorder recorder = new Recorder();
      long started = System.nanoTime();
      source.start(recorder, recorder);
      recorder.awaitMore(10, Duration.ofSeconds(20));
      long millis = (System.nanoTime() - started) / 1_000_000;
      assertTrue(millis >= QUICK.udpWait().toMillis(), "UDP was given " + QUICK.udpWait() + " first: " + millis);
      assertTrue(blackhole.dropped() > 0, "RTP was sent over UDP and lost");
      assertEquals(2, blackhole.connections(), "one UDP attempt, then TCP");
    }
  }

  @Test
  void lossOverUdpIsCountedAndPlayResumesAtTheNextKeyFrame() throws Exception {
    try (GstRtspServer live = GstRtspServer.start("--live", "320x240@30", "--gop", "15");
        LossyRelay relay = new LossyRelay(live.port(), 40, true)) {
      RtspSource source = source(relay.url("/cam"), SourceOptions.DEFAULT.withTransport(Transport.UDP), QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      recorder.awaitMore(10, Duration.ofSeconds(20));
      Await.until(() -> "losses counted: " + source.meter().packetsLost(),
          () -> source.meter().packetsLost() >= 5 && source.meter().framesDropped() > 0, Duration.ofSeconds(20));
      int before = recorder.count();
      recorder.awaitMore(30, Duration.ofSeconds(10));
      long lost = source.meter().packetsLost();
      log.info("relay dropped {}, forwarded {}; source counted {} lost, {} frames dropped, {} shown", relay.dropped(),
          relay.forwarded(), lost, source.meter().framesDropped(), recorder.count());
      assertTrue(lost <= relay.dropped(), "never more loss than the relay made: " + lost + " > " + relay.dropped());
      assertTrue(lost >= relay.dropped() / 2, "the loss is counted: " + lost + " of " + relay.dropped());
      assertTrue(recorder.count() >= before + 30, "viewers keep getting pictures");
      assertEquals(SourceState.RUNNING, source.state(), "loss is not an outage");
    }
  }

  @Test
  void aStallIsUnavailableAndRecoversWhenTheServerGoesOn() throws Exception {
    try (GstRtspServer live = GstRtspServer.start("--live", "160x120@30")) {
      RtspSource source = source(live.url(null), SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(2)), QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      recorder.awaitMore(10, Duration.ofSeconds(20));
      live.pause();
      try {
        String error = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
        assertTrue(error.contains("no video from the camera for 2 s (stalled)"), error);
      } finally {
        live.resume();
      }
      recorder.awaitMore(10, Duration.ofSeconds(20));
      Await.until("running again", () -> source.state() == SourceState.RUNNING, Duration.ofSeconds(5));
      assertTrue(source.meter().reconnects() >= 1);
    }
  }

  @Test
  void aKilledServerIsUnavailableAndVideoIsBackWithinFiveSecondsOfItsReturn() throws Exception {
    try (GstRtspServer live = GstRtspServer.start("--live", "160x120@30")) {
      RtspSource source = source(live.url(null), SourceOptions.DEFAULT, RtspSource.Timing.DEFAULT);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      recorder.awaitMore(10, Duration.ofSeconds(20));
      live.kill();
      // The cut session is tried again at once; that attempt is refused, and then viewers hear of it.
      String error = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
      assertTrue(error.contains("connection refused by 127.0.0.1:" + live.port())
          || error.contains("connection lost during OPTIONS"), error);
      // Down long enough for the backoff (1, 2, 4, then 8 s) to be waiting far longer than 5 s.
      long killed = System.nanoTime();
      Await.until("the outage to last 8 s", () -> System.nanoTime() - killed >= 8_000_000_000L, Duration.ofSeconds(9));
      int before = recorder.count();
      live.restart();
      long back = System.nanoTime();
      recorder.awaitMore(1, Duration.ofSeconds(10));
      long millis = (System.nanoTime() - back) / 1_000_000;
      log.info("video back {} ms after the server returned", millis);
      assertTrue(millis <= 5000, "video back after " + millis + " ms");
      assertTrue(recorder.count() > before);
      assertEquals(1, source.meter().reconnects());
    }
  }

  @Test
  void aNewSizeMidStreamStartsAFreshDecoderWithoutAnOutage() throws Exception {
    try (GstRtspServer live = GstRtspServer.start("--live", "320x240@30", "--resize", "176x144",
        "--resize-after", "1.5")) {
      RtspSource source = source(live.url(null), SourceOptions.DEFAULT, QUICK);
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      assertEquals(320, recorder.awaitMore(5, Duration.ofSeconds(20)).get(0).width());
      Await.until("pictures of the new size", () -> {
        List<Recorder.Seen> frames = recorder.frames();
        return frames.get(frames.size() - 1).width() == 176;
      }, Duration.ofSeconds(10));
      List<Recorder.Seen> after = recorder.awaitMore(10, Duration.ofSeconds(5));
      assertTrue(after.stream().allMatch(f -> f.width() == 176 && f.height() == 144), "all of the new size");
      assertEquals(176, source.format().width());
      assertEquals(List.of(SourceState.RUNNING), recorder.changes().stream().map(Recorder.Change::state).toList(),
          "no outage, no reconnect");
      assertEquals(0, source.meter().reconnects());
    }
  }

  /**
   * With a 4 s session timeout the server ends a session that hears nothing for 4 s; the source's
   * keep-alives (every half timeout, GET_PARAMETER as GStreamer lists it) keep both transports
   * playing through three timeouts.
   */
  @Test
  void keepAlivesHoldTheSessionPastItsTimeout() throws Exception {
    try (GstRtspServer live = GstRtspServer.start("--live", "160x120@30", "--session-timeout", "4")) {
      List<Recorder> recorders = new ArrayList<>();
      for (Transport transport : new Transport[] {Transport.TCP, Transport.UDP}) {
        RtspSource source = source(live.url(null), SourceOptions.DEFAULT.withTransport(transport)
            .withStallTimeout(Duration.ofSeconds(2)), QUICK);
        Recorder recorder = new Recorder();
        source.start(recorder, recorder);
        recorders.add(recorder);
      }
      for (Recorder recorder : recorders) {
        recorder.awaitMore(5, Duration.ofSeconds(20));
      }
      long started = System.nanoTime();
      Await.until("12 s of play", () -> System.nanoTime() - started >= 12_000_000_000L, Duration.ofSeconds(13));
      for (Recorder recorder : recorders) {
        assertEquals(List.of(SourceState.RUNNING), recorder.changes().stream().map(Recorder.Change::state).toList(),
            "no outage: " + recorder.changes());
        recorder.awaitMore(30, Duration.ofSeconds(2));
      }
      for (RtspSource source : sources) {
        assertEquals(0, source.meter().reconnects());
      }
    }
  }

  @Test
  void stopTearsDownAndStartPlaysAgain() {
    RtspSource source = source(digest.url("admin:p@ss:w0rd"), SourceOptions.DEFAULT, QUICK);
    Recorder recorder = new Recorder();
    source.start(recorder, recorder);
    recorder.awaitMore(5, Duration.ofSeconds(20));
    source.stop();
    assertEquals(SourceState.IDLE, source.state());
    Await.until("the source's threads gone", () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("rtsp-test")), Duration.ofSeconds(5));
    int stopped = recorder.count();
    source.start(recorder, recorder);
    recorder.awaitMore(5, Duration.ofSeconds(20));
    assertTrue(recorder.count() >= stopped + 5);
  }
}
