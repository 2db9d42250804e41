package io.webrtcgw.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.GatewayProcess;
import io.webrtcgw.testing.HttpProbe;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.ProcessProbe;
import io.webrtcgw.testing.ViewerPeers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 500 viewer sessions opened and closed one after another against the real gateway process.
 * Afterwards it holds no session, and its threads, open files and resident memory are back where
 * they were after the first 50; the viewers' side (this JVM) gives back its threads and files too.
 *
 * <p>The gateway runs with a fixed, pre-touched heap: otherwise its resident size grows for a while
 * as the garbage collector first touches pages of the heap it already committed, which is bounded
 * by -Xmx and no leak, and would hide or mimic a native one.
 */
class ChurnTest {
  private static final Logger log = LoggerFactory.getLogger(ChurnTest.class);
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final int WARM_UP = 50;
  private static final int SESSIONS = Integer.getInteger("gateway.churn.sessions", 500);
  private static final long MAX_GROWTH_KIB = 20 * 1024;
  private static final String PATTERN = System.getProperty("gateway.churn.pattern", "pattern:320x180@15");
  // HotSpot starts and retires JIT-compiler and GC worker threads as load changes; fixed pools keep
  // the thread count a measure of what the gateway itself holds.
  private static final List<String> GATEWAY_JVM = List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch",
      "-XX:-UseDynamicNumberOfCompilerThreads", "-XX:-UseDynamicNumberOfGCThreads");

  private static GatewayProcess gateway;
  private static String gatewayPid;
  private static int port;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayProcess.start(List.of(), GATEWAY_JVM,
        List.of("--host", "127.0.0.1", "--port", "0", "--stream", "pattern=" + PATTERN));
    port = gateway.awaitServing(Duration.ofSeconds(30));
    gatewayPid = String.valueOf(gateway.process().pid());
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    peers.close();
  }

  @Test
  void fiveHundredSessionsLeaveNothingBehind() throws Exception {
    long started = System.nanoTime();
    // The first sessions grow what is then reused (encoder and network threads, the JIT's code,
    // malloc arenas, socket buffers); the baseline is taken after them.
    for (int i = 0; i < WARM_UP; i++) {
      watchBriefly();
    }
    awaitNoSessions();
    long gatewayBase = restingResidentKiB();
    int gatewayThreads = ProcessProbe.nativeThreads(gatewayPid);
    log.info("gateway threads at the baseline: {}", ProcessProbe.nativeThreadNames(gatewayPid));
    int gatewayFiles = ProcessProbe.openFiles(gatewayPid);
    int clientJavaThreads = ProcessProbe.threads();
    int clientThreads = ProcessProbe.nativeThreads();
    int clientFiles = ProcessProbe.openFiles();
    System.gc();
    long clientBase = settledResidentKiB("self");
    log.info("baseline after {} sessions: gateway rss {} KiB, threads {}, files {}; viewers' JVM rss {} KiB, "
        + "threads {} ({} Java), files {}", WARM_UP, gatewayBase, gatewayThreads, gatewayFiles,
        clientBase, clientThreads, clientJavaThreads, clientFiles);

    List<Long> checkpoints = new ArrayList<>();
    for (int done = WARM_UP; done < SESSIONS; ) {
      watchBriefly();
      done++;
      if (done % 100 == 0) {
        long kib = ProcessProbe.residentKiB(gatewayPid);
        checkpoints.add(kib);
        log.info("after {} sessions ({} s): gateway rss {} KiB ({} over the baseline), viewers' JVM rss {} KiB",
            done, (System.nanoTime() - started) / 1_000_000_000, kib, kib - gatewayBase, ProcessProbe.residentKiB());
      }
    }

    awaitNoSessions();
    for (JsonNode stream : HttpProbe.json(port, "/api/streams")) {
      assertEquals(0, stream.path("viewers").asInt(), "viewers of " + stream);
    }
    awaitAtMost("gateway threads", () -> ProcessProbe.nativeThreads(gatewayPid), gatewayThreads,
        () -> String.valueOf(ProcessProbe.nativeThreadNames(gatewayPid)));
    awaitAtMost("gateway open files", () -> ProcessProbe.openFiles(gatewayPid), gatewayFiles);
    awaitAtMost("viewers' Java threads", ProcessProbe::threads, clientJavaThreads);
    awaitAtMost("viewers' threads", ProcessProbe::nativeThreads, clientThreads);
    awaitAtMost("viewers' open files", ProcessProbe::openFiles, clientFiles);
    long gatewayEnd = restingResidentKiB();
    System.gc();
    long clientEnd = settledResidentKiB("self");

    int measured = SESSIONS - WARM_UP;
    long growth = gatewayEnd - gatewayBase;
    log.info("{} sessions in {} s. Gateway rss {} -> {} KiB: {} KiB over {} sessions, {} KiB per 100 "
        + "(checkpoints {}). Viewers' JVM rss {} -> {} KiB: {} KiB per 100",
        SESSIONS, (System.nanoTime() - started) / 1_000_000_000, gatewayBase, gatewayEnd, growth, measured,
        growth * 100 / measured, checkpoints, clientBase, clientEnd, (clientEnd - clientBase) * 100 / measured);
    System.out.printf("CHURN sessions=%d source=%s gateway_rss_growth_kib=%d per_100_sessions_kib=%d viewers_per_100_kib=%d%n",
        SESSIONS, PATTERN, growth, growth * 100 / measured, (clientEnd - clientBase) * 100 / measured);
    assertTrue(growth < MAX_GROWTH_KIB, "the gateway's resident memory grew " + growth + " KiB after the first "
        + WARM_UP + " sessions; at most " + MAX_GROWTH_KIB + " KiB allowed");
  }

  /** One viewer: connect, offer, wait for the first decoded frame, leave. */
  private static void watchBriefly() throws Exception {
    try (LoopbackViewer viewer = LoopbackViewer.openQuiet(peers.factory(), port, "pattern")) {
      viewer.expect("hello", WAIT);
      viewer.offer();
      viewer.awaitFrames(1, WAIT);
    }
  }

  private static void awaitNoSessions() {
    Await.until(() -> "0 sessions on the gateway", () -> HttpProbe.sessions(port) == 0, WAIT);
  }

  private interface Reading {
    long read() throws IOException;
  }

  private static void awaitAtMost(String what, Reading reading, long limit) {
    awaitAtMost(what, reading, limit, ProcessProbe::threadNames);
  }

  private interface Names {
    String read() throws IOException;
  }

  private static void awaitAtMost(String what, Reading reading, long limit, Names threads) {
    Await.until(() -> what + " back to " + limit + " (have " + read(reading) + "; threads: " + names(threads) + ")",
        () -> read(reading) <= limit, WAIT);
  }

  private static String names(Names threads) {
    try {
      return threads.read();
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * The gateway's resident memory at rest: once it has given freed native memory back, which it
   * does when no session has ended for a moment ({@code NativeHeapTrim}), and then settled.
   */
  private static long restingResidentKiB() {
    Await.until(() -> "the gateway to trim its native heap after the last session ended", () -> {
      List<String> all = gateway.lines(line -> line.contains(" ended: stream=") || line.contains("native heap trimmed"));
      return !all.isEmpty() && all.get(all.size() - 1).contains("native heap trimmed");
    }, WAIT);
    return settledResidentKiB(gatewayPid);
  }

  /**
   * Resident memory once it has stopped moving for 6 s: a closed session is freed on libwebrtc's
   * threads a little after close() returns, and the JVM frees the memory its JIT compilers used
   * from their chunk pool every 5 s.
   */
  private static long settledResidentKiB(String pid) {
    long[] reference = {Long.MIN_VALUE};
    long[] since = {0};
    long[] last = {0};
    Await.until("resident memory of " + pid + " to settle", () -> {
      last[0] = read(() -> ProcessProbe.residentKiB(pid));
      if (Math.abs(last[0] - reference[0]) > 512) {
        reference[0] = last[0];
        since[0] = System.nanoTime();
      }
      return System.nanoTime() - since[0] > 6_000_000_000L;
    }, Duration.ofSeconds(60));
    return last[0];
  }

  private static long read(Reading reading) {
    try {
      return reading.read();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
