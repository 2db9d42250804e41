package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.ProcessProbe;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Viewers coming and going leave nothing behind: no session, thread or file descriptor. */
class LifecycleTest {
  private static final Logger log = LoggerFactory.getLogger(LifecycleTest.class);
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:320x180@30"));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @Test
  void fiftyViewersInSequenceLeaveNothingBehind() throws Exception {
    // One viewer first, so that lazily created threads (encoder, pacer, socket) exist in the
    // baseline and only what each session adds is counted.
    watchOnce();
    Await.until("no sessions after the warm-up", () -> gateway.sessions().count() == 0, WAIT);
    int threadsBefore = ProcessProbe.nativeThreads();
    int javaThreadsBefore = ProcessProbe.threads();
    log.info("threads before: {}", ProcessProbe.threadNames());
    int filesBefore = ProcessProbe.openFiles();

    for (int i = 0; i < 50; i++) {
      watchOnce();
    }

    Await.until(() -> "0 sessions, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == 0, WAIT);
    Await.until(() -> "threads back to " + javaThreadsBefore + " (have " + ProcessProbe.threads() + ": "
        + ProcessProbe.threadNames() + ")",
        () -> ProcessProbe.threads() <= javaThreadsBefore, WAIT);
    Await.until(() -> "native threads back to " + threadsBefore,
        () -> nativeThreads() <= threadsBefore, WAIT);
    Await.until(() -> "open files back to " + filesBefore + " (have " + openFiles() + ")",
        () -> openFiles() <= filesBefore, WAIT);
    log.info("after 50 viewers: threads {} -> {}, native threads {} -> {}, files {} -> {}",
        javaThreadsBefore, ProcessProbe.threads(), threadsBefore, nativeThreads(), filesBefore, openFiles());
    assertEquals(0, gateway.sessions().count());
    assertEquals(0, gateway.streams().find("pattern").orElseThrow().viewers());
  }

  private static void watchOnce() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(3, WAIT);
      assertTrue(gateway.sessions().count() >= 1);
    }
  }

  private static int nativeThreads() {
    try {
      return ProcessProbe.nativeThreads();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int openFiles() {
    try {
      return ProcessProbe.openFiles();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
