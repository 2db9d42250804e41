package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The targets, checked against a finished report. */
final class Targets {
  private Targets() {}

  static void evaluate(ObjectNode report) {
    ArrayNode targets = report.putArray("targets");
    JsonNode ttff = report.path("ttff");
    add(targets, "time to first frame, median", "<= 300 ms",
        ttff.path("pageToFirstFrameMs").path("median"), 300);
    add(targets, "time to first frame, p95", "<= 500 ms", ttff.path("pageToFirstFrameMs").path("p95"), 500);
    JsonNode latency = report.path("latency").path("glassToGlassMs");
    add(targets, "glass-to-glass latency, p50", "<= 80 ms", latency.path("median"), 80);
    add(targets, "glass-to-glass latency, p95", "<= 150 ms", latency.path("p95"), 150);
    JsonNode defaultRun = defaultCodecRun(report, "pattern:640x360@30");
    if (defaultRun != null) {
      String codec = defaultRun.path("codec").asText();
      ObjectNode viewers = targets.addObject()
          .put("target", "640x360@30 viewers each >= 28 fps (" + codec + ")")
          .put("goal", ">= 20");
      viewers.set("measured", defaultRun.path("maxViewersHeld"));
      viewers.put("met", defaultRun.path("maxViewersHeld").asInt() >= 20);
      add(targets, "CPU per added 640x360@30 viewer (" + codec + "), % of one core", "<= 5",
          defaultRun.path("cpuPerViewer"), 5);
    }
    for (JsonNode size : report.path("camera").path("sizes")) {
      if (!size.path("size").asText().equals("1280x720")) {
        continue;
      }
      JsonNode idle = size.path("idle");
      if (idle.has("gatewayCpuPercent")) {
        ObjectNode realTime = targets.addObject()
            .put("target", "720p30 RTSP camera decoded in real time, gateway CPU with no viewer (% of one core)")
            .put("goal", "<= 60 and >= 28 fps decoded");
        realTime.put("measured", idle.path("gatewayCpuPercent").asDouble() + " % at " + idle.path("decodedFps").asDouble()
            + " fps");
        realTime.put("met", idle.path("gatewayCpuPercent").asDouble() <= 60 && idle.path("decodedFps").asDouble() >= 28);
      }
      add(targets, "RTSP gateway-added latency (last RTP packet to libwebrtc), p50, 720p30", "<= 40 ms",
          size.path("oneViewer").path("addedLatencyP50Ms"), 40);
      add(targets, "joining viewer's time to first frame, median, camera with a "
          + report.path("camera").path("gopSeconds").asInt() + " s GOP", "<= 300 ms",
          size.path("joiningViewer").path("pageToFirstFrameMs").path("median"), 300);
      JsonNode back = size.path("restarts").path("pictureBackMs");
      if (back.path("max").isNumber()) {
        ObjectNode restart = targets.addObject()
            .put("target", "picture back in an open page after the camera returns, worst of "
                + back.path("count").asInt())
            .put("goal", "<= 5000 ms");
        restart.set("measured", back.path("max"));
        restart.put("met", back.path("min").asDouble() >= 0 && back.path("max").asDouble() <= 5000);
      }
    }
    JsonNode ratio = report.path("tile").path("tileToFullRatio");
    if (ratio.isNumber()) {
      ObjectNode tile = targets.addObject()
          .put("target", "320x180 tile CPU / 1280x720 viewer CPU")
          .put("goal", "<= 0.333");
      tile.set("measured", ratio);
      tile.put("met", ratio.asDouble() <= 1.0 / 3);
    }
    JsonNode wall = report.path("wall");
    add(targets, "16-tile wall: all tiles showing video after page load, median", "<= 1000 ms",
        wall.path("wallPage").path("allTilesVideoMs").path("median"), 1000);
    JsonNode wallCpu = wall.path("wallPage").path("playing").path("gatewayCpuPercent").path("median");
    JsonNode embedsCpu = wall.path("embeds").path("playing").path("gatewayCpuPercent").path("median");
    if (wallCpu.isNumber() && embedsCpu.isNumber()) {
      add(targets, "gateway CPU, 16-tile wall (% of one core) <= 16 embeds (" + embedsCpu.asText() + ")",
          "<= " + embedsCpu.asText(), wallCpu, embedsCpu.asDouble());
    }
    JsonNode wallBrowser = wall.path("wallPage").path("playing").path("browserCpuPercent").path("median");
    JsonNode embedsBrowser = wall.path("embeds").path("playing").path("browserCpuPercent").path("median");
    if (wallBrowser.isNumber() && embedsBrowser.isNumber()) {
      ObjectNode browser = targets.addObject()
          .put("target", "browser CPU, 16-tile wall (% of one core) < 16 embeds (" + embedsBrowser.asText() + ")")
          .put("goal", "< " + embedsBrowser.asText());
      browser.set("measured", wallBrowser);
      browser.put("met", wallBrowser.asDouble() < embedsBrowser.asDouble());
    }
    janus(targets, report.path("janus"));
  }

  /** The scaling run at {@code source} whose codec the gateway picks by default (as the tile run saw). */
  private static void janus(ArrayNode targets, JsonNode janus) {
    JsonNode delta = janus.path("gatewayCpuDeltaPercent");
    add(targets, "gateway CPU with one publication, " + JanusCost.MANY + " viewers on Janus minus 1 (% of one core)",
        "<= 0.5", delta, 0.5);
    add(targets, "publication back after a Janus restart, slowest", "<= 5000 ms",
        janus.path("restart").path("publisherBackMs").path("max"), 5000);
    add(targets, "glass-to-glass latency through Janus, p50", "<= 80 ms",
        janus.path("one").path("latencyMs").path("median"), 80);
  }

  private static JsonNode defaultCodecRun(ObjectNode report, String source) {
    String codec = "";
    for (JsonNode run : report.path("tile").path("runs")) {
      for (JsonNode c : run.path("loaded").path("codecs")) {
        if (!c.asText().isEmpty()) {
          codec = c.asText().replace("video/", "");
        }
      }
    }
    JsonNode first = null;
    for (JsonNode run : report.path("scaling")) {
      if (run.path("source").asText().equals(source)) {
        if (run.path("codec").asText().equalsIgnoreCase(codec)) {
          return run;
        }
        if (first == null) {
          first = run;
        }
      }
    }
    return first;
  }

  private static void add(ArrayNode targets, String name, String goal, JsonNode measured, double limit) {
    if (!measured.isNumber()) {
      return;
    }
    ObjectNode target = targets.addObject().put("target", name).put("goal", goal);
    target.set("measured", measured);
    target.put("met", measured.asDouble() <= limit);
  }
}
