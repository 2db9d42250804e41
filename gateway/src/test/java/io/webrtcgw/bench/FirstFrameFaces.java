package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Pattern SESSIONS = Pattern.compile("\"sessions\"\\s*:\\s*(\\d+)");
  private static final Pattern STEPS = Pattern.compile("first media packet sent (-?\\d+) ms after the offer"
      + " \\(answer (-?\\d+) ms, ICE connected (-?\\d+) ms, DTLS (-?\\d+) ms\\)");
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
    List<long[]> coldSteps = new ArrayList<>();
    try (Browser browser = new Browser()) {
      browser.driver().get("about:blank");
      log.info("first frame (a): {} gateway starts, the first viewer of each in a warm browser", loads);
      for (int i = 0; i < loads; i++) {
        try (GatewayProcess gateway = GatewayProcess.start(jar, out, "ttff-cold", STREAM, SOURCE, false)) {
          cold.add(load(browser, gateway.port()));
          coldSteps.addAll(steps(gateway));
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
      int before = steps(gateway).size();
      log.info("first frame (b): {} fresh browser processes", loads);
      List<Double> fresh = new ArrayList<>();
      for (int i = 0; i < loads; i++) {
        try (Browser browser = new Browser()) {
          fresh.add(load(browser, gateway.port()));
        }
      }
      List<long[]> all = steps(gateway);
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
      all = steps(gateway);
      // The browser's own warming load is not counted; a gateway that does not log its steps has none.
      write(result.putObject("newTab"), tabs, all.subList(Math.min(before + 1, all.size()), all.size()));
    }
    return result;
  }

  /** Opens the viewer page in the current tab; returns navigation to first rendered frame, ms. */
  private static double load(Browser browser, int port) {
    awaitSessions(port, 0);
    browser.driver().get("http://127.0.0.1:" + port + "/view/" + STREAM);
    browser.awaitState("playing", Duration.ofSeconds(30));
    double ms = ((Number) browser.script("return window.player.stats().firstFrameMs")).doubleValue();
    browser.driver().get("about:blank");
    return ms;
  }

  /** Each session's logged steps: first packet, answer, ICE connected, DTLS, ms after the offer. */
  private static List<long[]> steps(GatewayProcess gateway) {
    List<long[]> out = new ArrayList<>();
    for (String line : gateway.lines(line -> line.contains("first media packet sent"))) {
      Matcher m = STEPS.matcher(line);
      if (m.find()) {
        out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
            Long.parseLong(m.group(4))});
      }
    }
    return out;
  }

  private static void write(ObjectNode node, List<Double> times, List<long[]> steps) {
    new Percentiles(times).writeTo(node.putObject("pageToFirstFrameMs"));
    node.set("allPageToFirstFrameMs", JSON.valueToTree(times.stream().map(Percentiles::round).toList()));
    ObjectNode gateway = node.putObject("gatewayMs");
    Map<String, Integer> columns = Map.of("offerToAnswer", 1, "offerToIceConnected", 2, "offerToDtls", 3,
        "offerToFirstPacket", 0);
    columns.forEach((name, column) -> {
      Function<long[], Long> pick = step -> step[column];
      new Percentiles(steps.stream().map(pick).filter(v -> v >= 0).toList()).writeTo(gateway.putObject(name));
    });
    log.info("  median {} ms (p95 {}), gateway offer to first packet median {} ms", node.at("/pageToFirstFrameMs/median"),
        node.at("/pageToFirstFrameMs/p95"), gateway.at("/offerToFirstPacket/median"));
  }

  private static void awaitSessions(int port, int count) {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build();
    Await.until(() -> count + " sessions on the gateway", () -> {
      try {
        Matcher m = SESSIONS.matcher(HTTP.send(health, HttpResponse.BodyHandlers.ofString()).body());
        return m.find() && Integer.parseInt(m.group(1)) == count;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, Duration.ofSeconds(20));
  }
}
