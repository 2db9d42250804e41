package io.webrtcgw.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.GatewayProcess;
import io.webrtcgw.testing.Janus;
import io.webrtcgw.testing.JanusViewers;
import io.webrtcgw.testing.NetnsLink;
import io.webrtcgw.testing.SimpleWhipServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway publishes the stamped pattern over WHIP to a real SFU: Debian's Janus 1.1.2
 * (VideoRoom) behind Meetecho's simple-whip-server, both in namespace {@code a}; the gateway
 * (a process of its own) and a headless Chromium subscriber in namespace {@code b}, joined by one
 * veth, Janus gathering only on that veth. The subscriber talks to Janus' HTTP API directly and
 * reads the stamp off every frame it renders. Each test starts its own gateway.
 */
class JanusPublishBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(JanusPublishBrowserTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ENDPOINT = "gateway";
  private static final String TOKEN = "janus-publish-token.1234";
  /** The publication must be back this soon after Janus answers again (README: within 5 s; slack for CI). */
  private static final long MAX_BACK_MILLIS = 8000;

  @TempDir
  static Path dir;
  private static NetnsLink link;
  private static Janus janus;
  private static SimpleWhipServer whip;
  private static Browser browser;
  private static JanusViewers viewers;
  private static Path config;
  private GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    NetnsLink.assumeAvailable();
    link = NetnsLink.create();
    // NetnsLink names a's veth gwfa<pid><n>: the prefix is enough for Janus' enforce list.
    janus = Janus.start(link.inA(), "gwfa", dir.resolve("janus"));
    whip = SimpleWhipServer.start(link.inA(), dir.resolve("simple-whip-server.log"));
    whip.createEndpoint(ENDPOINT, Janus.ROOM, TOKEN);
    config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n",
        "host: 0.0.0.0",
        "port: 8080",
        "streams:",
        "  - name: pattern",
        "    source: \"pattern:640x360@30\"",
        "    publish:",
        "      - url: \"http://" + NetnsLink.ADDRESS_A + ":" + SimpleWhipServer.PORT + "/whip/endpoint/" + ENDPOINT + "\"",
        "        token: \"" + TOKEN + "\"",
        "        name: janus",
        ""));
    browser = new Browser(link.inB(), List.of("--disable-features=WebRtcHideLocalIpsWithMdns"));
    viewers = new JanusViewers(browser, NetnsLink.ADDRESS_A);
  }

  @AfterAll
  static void stop() throws Exception {
    try (AutoCloseable l = link; AutoCloseable j = janus; AutoCloseable w = whip; AutoCloseable b = browser) {
      log.info("simple-whip-server printed:\n{}", whip == null ? "" : whip.output());
    }
  }

  @BeforeEach
  void publish() throws Exception {
    viewers.open();
    gateway = GatewayProcess.start(link.inB(), List.of("--config", config.toString()));
    gateway.awaitServing(WAIT);
    viewers.awaitPublishers(1, WAIT);
  }

  /** Gracefully, so the endpoint is free for the next test's gateway (it takes one publisher at a time). */
  @AfterEach
  void endGateway() throws Exception {
    if (gateway == null) {
      return;
    }
    try {
      if (gateway.process().isAlive()) {
        gateway.terminate();
        gateway.awaitExit(WAIT);
        viewers.awaitPublishers(0, WAIT);
      }
    } finally {
      gateway.close();
    }
  }

  @Test
  void aJanusSubscriberSeesThePatternsFramesInOrder() {
    viewers.subscribe(0);
    List<Map<String, Object>> frames = framesAfter(now(), 90);
    assertInOrder(frames);
    assertEquals(640L, ((Number) frames.get(frames.size() - 1).get("w")).longValue(), "full size by default");
    assertTrue(gateway.lines(line -> line.contains(TOKEN)).isEmpty(), "the token reached the gateway's log");
  }

  @Test
  void aRestartedJanusGetsThePublicationBack() throws Exception {
    viewers.subscribe(0);
    framesAfter(now(), 30);
    int noticed = gateway.lines(JanusPublishBrowserTest::troubleLine).size();
    janus.kill();
    long killedAt = now();
    // The gateway sees the SFU go away (ICE drops, its restart PATCH or POST fails).
    gateway.awaitLines("the publication to notice", JanusPublishBrowserTest::troubleLine, noticed + 1, WAIT);
    janus.restart();
    long backAt = now();
    viewers.open();
    viewers.awaitPublishers(1, WAIT);
    long published = now() - backAt;
    viewers.subscribe(0);
    List<Map<String, Object>> frames = framesAfter(now(), 60);
    long firstFrame = ((Number) frames.get(0).get("at")).longValue() - backAt;
    log.info("Janus down for {} ms; publisher in the room {} ms after Janus answered, frames {} ms after", backAt - killedAt,
        published, firstFrame);
    System.out.printf("JANUS restart down_ms=%d publisher_back_ms=%d first_frame_ms=%d%n", backAt - killedAt, published,
        firstFrame);
    assertTrue(published <= MAX_BACK_MILLIS, "the publication came back " + published + " ms after Janus did");
    assertInOrder(frames);
    assertTrue(gateway.lines(line -> line.contains("connected to janus")).size() >= 2,
        "the gateway logged its connection again");
  }

  @Test
  void gatewayShutdownLeavesNoPublisherInTheRoom() throws Exception {
    gateway.terminate();
    assertEquals(0, gateway.awaitExit(WAIT), "exit code");
    // simple-whip-server answers 200 only while the resource has a publisher, and then hangs it up.
    assertEquals(1, gateway.lines(line -> line.contains("resource deleted") && line.endsWith("(200)")).size(),
        "one DELETE answered 200: " + gateway.lines(line -> line.contains("publication")));
    viewers.awaitPublishers(0, Duration.ofSeconds(5));
  }

  private static List<Map<String, Object>> framesAfter(long millis, int count) {
    return viewers.framesAfter(millis, count, WAIT);
  }

  /**
   * Every frame a newer picture than the one before (the pattern's frame number goes up; a gap is
   * a dropped frame, going back is a reordering), captured within 1 s of its rendering.
   */
  private static void assertInOrder(List<Map<String, Object>> frames) {
    long previous = -1;
    List<Long> latencies = new ArrayList<>();
    for (Map<String, Object> frame : frames) {
      long number = ((Number) frame.get("frame")).longValue();
      assertTrue(number > previous, "frame " + number + " after " + previous + " in " + numbers(frames));
      previous = number;
      latencies.add(((Number) frame.get("at")).longValue() - ((Number) frame.get("time")).longValue());
    }
    List<Long> sorted = latencies.stream().sorted().toList();
    long median = sorted.get(sorted.size() / 2);
    log.info("{} frames in order through Janus, glass-to-glass p50 {} ms, max {} ms", frames.size(), median,
        sorted.get(sorted.size() - 1));
    assertTrue(median < 1000, "glass-to-glass latency through Janus p50 " + median + " ms");
  }

  private static List<Long> numbers(List<Map<String, Object>> frames) {
    return frames.stream().map(frame -> ((Number) frame.get("frame")).longValue()).toList();
  }

  private static boolean troubleLine(String line) {
    return line.contains("restarting ICE") || line.contains("next attempt");
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
