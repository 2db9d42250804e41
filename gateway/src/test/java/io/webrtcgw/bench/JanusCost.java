package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.testing.Browser;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publication through a real SFU, set up as {@code JanusPublishBrowserTest} does (Janus 1.1.2
 * and simple-whip-server in one network namespace; the gateway and headless Chromium in another):
 * the gateway's CPU while 1 and then 8 viewers (peer connections of one Chromium page) watch
 * through Janus, the glass-to-glass latency through Janus from the pattern's stamp, and how soon
 * the publication is back after Janus is killed and started again.
 */
final class JanusCost {
  private static final Logger log = LoggerFactory.getLogger(JanusCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);
  static final String SOURCE = "pattern:640x360@30";
  static final int MANY = 8;

  private final Path out;
  private final boolean quick;

  JanusCost(Path out, boolean quick) {
    this.out = out;
    this.quick = quick;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode().put("source", SOURCE).put("viewersMany", MANY);
    if (!BrowserProbe.available()) {
      return result.put("skipped", "Debian's chromium and chromium-driver are not installed");
    }
    if (!Files.isExecutable(Janus.BINARY)) {
      return result.put("skipped", "Janus is not installed (apt-get install janus)");
    }
    int windows = quick ? 2 : 3;
    Duration window = Duration.ofSeconds(quick ? 8 : 15);
    Path dir = Files.createTempDirectory(out.toAbsolutePath(), "janus-");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n", "port: 8080", "streams:", "  - name: pattern",
        "    source: \"" + SOURCE + "\"", "    publish:",
        "      - url: \"http://" + NetnsLink.ADDRESS_A + ":" + SimpleWhipServer.PORT + "/whip/endpoint/bench\"",
        "        name: janus", "        token: bench-token-1234", ""));
    try (NetnsLink link = NetnsLink.create();
        Janus janus = Janus.start(link.inA(), "gwfa", dir.resolve("janus"));
        SimpleWhipServer whip = SimpleWhipServer.start(link.inA(), dir.resolve("simple-whip-server.log"));
        Browser browser = new Browser(link.inB(), List.of("--disable-features=WebRtcHideLocalIpsWithMdns"))) {
      whip.createEndpoint("bench", Janus.ROOM, "bench-token-1234");
      JanusViewers viewers = new JanusViewers(browser, NetnsLink.ADDRESS_A);
      viewers.open();
      try (io.webrtcgw.testing.GatewayProcess gateway = io.webrtcgw.testing.GatewayProcess.start(link.inB(),
          List.of("-Xmx256m"), List.of("--config", config.toString()))) {
        gateway.awaitServing(WAIT);
        long pid = gateway.process().pid();
        viewers.awaitPublishers(1, WAIT);
        viewers.subscribe(0);
        viewers.framesAfter(System.currentTimeMillis(), 60, WAIT);
        Thread.sleep(5000); // past the encoder's ramp-up
        result.set("one", cpu(pid, viewers, windows, window, 1));
        for (int n = 1; n < MANY; n++) {
          viewers.subscribe(n);
        }
        Thread.sleep(5000);
        result.set("many", cpu(pid, viewers, windows, window, MANY));
        double one = result.path("one").path("gatewayCpuPercent").path("median").asDouble();
        double many = result.path("many").path("gatewayCpuPercent").path("median").asDouble();
        result.put("gatewayCpuDeltaPercent", Percentiles.round(many - one));
        result.set("restart", restarts(janus, viewers, gateway, quick ? 2 : 3));
      }
    }
    return result;
  }

  /** Gateway CPU over {@code windows} windows while {@code count} viewers watch, and viewer 0's latency. */
  private ObjectNode cpu(long pid, JanusViewers viewers, int windows, Duration window, int count) throws Exception {
    List<Double> cpu = new ArrayList<>();
    List<Double> latencies = new ArrayList<>();
    List<Long> before = viewers.renderedFrames();
    long start = System.currentTimeMillis();
    for (int i = 0; i < windows; i++) {
      ProcStat first = ProcStat.of(pid);
      Thread.sleep(window.toMillis());
      cpu.add(Percentiles.round(ProcStat.of(pid).cpuPercentSince(first)));
    }
    List<Long> after = viewers.renderedFrames();
    double seconds = (System.currentTimeMillis() - start) / 1000.0;
    ArrayNode fps = JSON.createArrayNode();
    for (int i = 0; i < count; i++) {
      fps.add(Percentiles.round((after.get(i) - before.get(i)) / seconds));
    }
    for (Map<String, Object> frame : viewers.framesAfter(start, 1, WAIT)) {
      latencies.add((double) (((Number) frame.get("at")).longValue() - ((Number) frame.get("time")).longValue()));
    }
    ObjectNode step = JSON.createObjectNode().put("viewers", count);
    step.set("gatewayCpuPercent", summary(cpu));
    step.set("gatewayCpuWindows", JSON.valueToTree(cpu));
    step.set("viewerFps", fps);
    step.set("latencyMs", summary(latencies));
    log.info("{} viewer(s) through Janus: gateway CPU {} % per window, viewers' fps {}, latency {}", count, cpu, fps,
        step.path("latencyMs"));
    return step;
  }

  /** Janus killed and started again {@code times} times: ms from its APIs answering to the publisher in the room. */
  private ObjectNode restarts(Janus janus, JanusViewers viewers, io.webrtcgw.testing.GatewayProcess gateway, int times)
      throws Exception {
    List<Double> back = new ArrayList<>();
    List<Double> frames = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      int noticed = gateway.lines(line -> line.contains("restarting ICE") || line.contains("next attempt")).size();
      janus.kill();
      gateway.awaitLines("the publication to notice",
          line -> line.contains("restarting ICE") || line.contains("next attempt"), noticed + 1, WAIT);
      janus.restart();
      long up = System.currentTimeMillis();
      viewers.open();
      viewers.awaitPublishers(1, WAIT);
      back.add((double) (System.currentTimeMillis() - up));
      viewers.subscribe(0);
      long frame = ((Number) viewers.framesAfter(up, 1, WAIT).get(0).get("at")).longValue();
      frames.add((double) (frame - up));
      log.info("Janus restart {}: publisher back {} ms, first frame at a new subscriber {} ms after Janus answered",
          i + 1, back.get(i), frames.get(i));
    }
    ObjectNode result = JSON.createObjectNode().put("times", times);
    result.set("publisherBackMs", summary(back));
    result.set("publisherBackMsEach", JSON.valueToTree(back));
    result.set("firstFrameMs", summary(frames));
    return result;
  }

  private static ObjectNode summary(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    ObjectNode node = JSON.createObjectNode().put("count", sorted.size());
    if (sorted.isEmpty()) {
      return node;
    }
    return node.put("min", sorted.get(0)).put("median", sorted.get(sorted.size() / 2))
        .put("p95", sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.95) - 1)))
        .put("max", sorted.get(sorted.size() - 1));
  }
}
