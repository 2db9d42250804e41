package io.webrtcgw.source.rtsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.config.SourceOptions.Transport;
import io.webrtcgw.source.SourceState;
import io.webrtcgw.source.file.TestClips;
import io.webrtcgw.source.h264.DecoderSandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VLC, a second RTSP server implementation, which serves RTP over UDP only. */
class VlcRtspTest {
  @TempDir static Path dir;
  private static VlcRtspServer vlc;
  private static DecoderSandbox decoders;
  static final int FRAMES = 250;

  /**
   * A stamped 10 s clip at 25 fps with a key frame every second, so that joining a broadcast is
   * quick, remuxed six times over: VLC's own loop reopens the file with a gap of a second or two,
   * which a test should meet once a minute at most.
   */
  static Path clip(Path dir, int width, int height) {
    TestClips.assumeEncoder("libx264");
    Path once = dir.resolve("vlc-" + width + "x" + height + "-once.mp4");
    TestClips.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=" + width + "x" + height + ":rate=25",
        "-frames:v", String.valueOf(FRAMES), "-vf", TestClips.stampFilter(height), "-c:v", "libx264",
        "-preset", "veryfast", "-profile:v", "main", "-bf", "0", "-g", "25", "-pix_fmt", "yuv420p", once.toString());
    Path clip = dir.resolve("vlc-" + width + "x" + height + ".mp4");
    TestClips.ffmpeg("-stream_loop", "5", "-i", once.toString(), "-c", "copy", clip.toString());
    return clip;
  }

  @BeforeAll
  static void start() throws Exception {
    decoders = DecoderSandbox.start();
    vlc = VlcRtspServer.start(clip(dir, 320, 240), dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vlc != null) {
      vlc.close();
    }
    if (decoders != null) {
      decoders.close();
    }
  }

  private static RtspSource source(Transport transport) {
    return new RtspSource("vlc", RtspUrl.parse(vlc.url()), SourceOptions.DEFAULT.withTransport(transport),
        Clock.systemUTC(), RtspSourceTest.QUICK, decoders);
  }

  @Test
  void autoPlaysOverUdpInOrder() {
    try (RtspSource source = source(Transport.AUTO)) {
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      List<Recorder.Seen> frames = recorder.awaitMore(50, Duration.ofSeconds(20));
      assertEquals(320, frames.get(0).width());
      assertEquals(240, frames.get(0).height());
      for (int i = 1; i < frames.size(); i++) {
        int previous = frames.get(i - 1).number();
        int current = frames.get(i).number();
        boolean loopedAround = current == 0 && previous == FRAMES - 1;
        assertTrue(current == previous + 1 || loopedAround,
            "in order: " + frames.stream().map(Recorder.Seen::number).toList());
      }
      assertEquals(SourceState.RUNNING, source.state());
      assertEquals(List.of(SourceState.RUNNING), recorder.changes().stream().map(Recorder.Change::state).toList());
    }
  }

  /**
   * VLC closes the RTSP connection of a session that follows another's TEARDOWN a second or two
   * after PLAY, while its RTP goes on; an RTSP session outlives its connection, so that is no outage.
   */
  @Test
  void sessionsOneAfterAnotherPlayThroughAClosedRtspConnection() {
    for (int round = 0; round < 3; round++) {
      try (RtspSource source = source(Transport.UDP)) {
        Recorder recorder = new Recorder();
        source.start(recorder, recorder);
        recorder.awaitMore(100, Duration.ofSeconds(20));
        assertEquals(List.of(SourceState.RUNNING), recorder.changes().stream().map(Recorder.Change::state).toList(),
            "round " + round + ": " + recorder.changes());
      }
    }
  }

  @Test
  void tcpIsRefusedWithAReasonThatSaysWhatToChange() {
    try (RtspSource source = source(Transport.TCP)) {
      Recorder recorder = new Recorder();
      source.start(recorder, recorder);
      String error = recorder.awaitState(SourceState.UNAVAILABLE, Duration.ofSeconds(10)).error();
      assertTrue(error.contains("refuses RTP over TCP (461 Unsupported Transport); set transport: udp or auto"), error);
    }
  }
}
