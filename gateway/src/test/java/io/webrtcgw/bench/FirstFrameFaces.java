package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.testing.Browser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.WindowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time to first frame as people meet it, three ways, each the viewer page's navigation to its
 * first rendered frame in headless Chromium: (a) the first viewer after the gateway starts (a cold
 * JVM and an idle source, in a warm browser); (b) a fresh browser process against a warm gateway;
 * (c) a new tab in a warm browser. Beside each, the gateway's own steps from its log: offer to
 * answer, to ICE connected, to DTLS connected, to the first media packet.
 */
final class FirstFrameFaces {
  private static final Logger log = LoggerFactory.getLogger(FirstFrameFaces.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String STREAM = "ttff";
  static final String SOURCE = "pattern:640x360@30";

  private final Path jar;
  private final Path out;
  private final int loads;

  FirstFrameFaces(Path jar, Path out, int loads) {
    this.jar = jar;
    this.out = out;
    this.loads = loads;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode().put("source", SOURCE + " (started by the first viewer)")
        .put("loads", loads);
    List<Double> cold = new ArrayList<>();
    List<GatewayProcess.FirstPacket> coldSteps = new ArrayList<>();
    try (Browser browser = new Browser()) {
      browser.driver().get("about:blank");
      log.info("first frame (a): {} gateway starts, the first viewer of each in a warm browser", loads);
      for (int i = 0; i < loads; i++) {
        try (GatewayProcess gateway = GatewayProcess.start(jar, out, "ttff-cold", STREAM, SOURCE, false)) {
          cold.add(load(browser, gateway.port()));
          coldSteps.addAll(gateway.firstPackets());
        }
      }
    }
    write(result.putObject("coldGateway"), cold, coldSteps);
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "ttff-warm", STREAM, SOURCE, false)) {
      // Warm the gateway first: (b) and (c) are about the browser.
      try (Browser browser = new Browser()) {
        for (int i = 0; i < 3; i++) {
          load(browser, gateway.port());
        }
      }
      int before = gateway.firstPackets().size();
      log.info("first frame (b): {} fresh browser processes", loads);
      List<Double> fresh = new ArrayList<>();
      for (int i = 0; i < loads; i++) {
        try (Browser browser = new Browser()) {
          fresh.add(load(browser, gateway.port()));
        }
      }
      List<GatewayProcess.FirstPacket> all = gateway.firstPackets();
      write(result.putObject("freshBrowser"), fresh, all.subList(Math.min(before, all.size()), all.size()));
      before = all.size();
      log.info("first frame (c): {} new tabs in a warm browser", loads);
      List<Double> tabs = new ArrayList<>();
      try (Browser browser = new Browser()) {
        load(browser, gateway.port()); // warms this browser; not counted
        String first = browser.driver().getWindowHandle();
        for (int i = 0; i < loads; i++) {
          browser.driver().switchTo().newWindow(WindowType.TAB);
          tabs.add(load(browser, gateway.port()));
          browser.driver().close();
          browser.driver().switchTo().window(first);
        }
      }
      all = gateway.firstPackets();
      // The browser's own warming load is not counted; a gateway that does not log its steps has none.
      write(result.putObject("newTab"), tabs, all.subList(Math.min(before + 1, all.size()), all.size()));
    }
    return result;
  }

  /** Opens the viewer page in the current tab; returns navigation to first rendered frame, ms. */
  private static double load(Browser browser, int port) {
    GatewayProcess.awaitSessions(port, 0, Duration.ofSeconds(20));
    browser.driver().get("http://127.0.0.1:" + port + "/view/" + STREAM);
    browser.awaitState("playing", Duration.ofSeconds(30));
    double ms = ((Number) browser.script("return window.player.stats().firstFrameMs")).doubleValue();
    browser.driver().get("about:blank");
    return ms;
  }

  private static void write(ObjectNode node, List<Double> times, List<GatewayProcess.FirstPacket> steps) {
    new Percentiles(times).writeTo(node.putObject("pageToFirstFrameMs"));
    node.set("allPageToFirstFrameMs", JSON.valueToTree(times.stream().map(Percentiles::round).toList()));
    ObjectNode gateway = node.putObject("gatewayMs");
    Map<String, Function<GatewayProcess.FirstPacket, Long>> columns = Map.of(
        "offerToAnswer", GatewayProcess.FirstPacket::answer,
        "offerToIceConnected", GatewayProcess.FirstPacket::iceConnected,
        "offerToDtls", GatewayProcess.FirstPacket::dtls,
        "offerToFirstPacket", GatewayProcess.FirstPacket::packet);
    columns.forEach((name, pick) ->
        new Percentiles(steps.stream().map(pick).filter(v -> v >= 0).toList()).writeTo(gateway.putObject(name)));
    log.info("  median {} ms (p95 {}), gateway offer to first packet median {} ms", node.at("/pageToFirstFrameMs/median"),
        node.at("/pageToFirstFrameMs/p95"), gateway.at("/offerToFirstPacket/median"));
  }

}
