package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The benchmark report as Markdown for people; the JSON next to it has every number. */
final class MarkdownReport {
  private MarkdownReport() {}

  static String render(JsonNode r) {
    StringBuilder md = new StringBuilder();
    JsonNode m = r.path("machine");
    md.append("# Gateway benchmark, ").append(r.path("date").asText()).append("\n\n");
    if (r.path("quick").asBoolean()) {
      md.append("**Quick run** (`--quick`): short windows and few samples; not a baseline.\n\n");
    }
    md.append("- Machine: ").append(m.path("cores").asInt()).append(" cores, ").append(m.path("cpuModel").asText())
        .append(", Linux ").append(m.path("kernel").asText()).append("\n");
    md.append("- Java: ").append(m.path("java").asText());
    if (m.has("chromium")) {
      md.append("; Chromium ").append(m.path("chromium").asText());
    }
    md.append("\n");
    md.append("- Load average (1, 5, 15 min, /proc/loadavg) at start: `").append(m.path("loadAverageAtStart").asText())
        .append("`, at end: `").append(m.path("loadAverageAtEnd").asText()).append("`")
        .append(r.path("quietAtStart").asBoolean(true) ? "" : " (**the machine was not quiet at start**)")
        .append("\n");
    md.append("- Run time: ").append(r.path("durationSeconds").asLong()).append(" s\n\n");

    md.append("## Targets\n\n| target | goal | measured | met |\n|---|---|---|---|\n");
    for (JsonNode t : r.path("targets")) {
      md.append("| ").append(t.path("target").asText()).append(" | ").append(t.path("goal").asText()).append(" | ")
          .append(t.path("measured").asText()).append(" | ").append(t.path("met").asBoolean() ? "yes" : "**no**")
          .append(" |\n");
    }

    JsonNode ttff = r.path("ttff");
    if (ttff.has("pageToFirstFrameMs")) {
      md.append("\n## Time to first frame\n\n").append(ttff.path("pageToFirstFrameMs").path("count").asInt())
          .append(" loads of the viewer page in headless Chromium, each from `about:blank` with no session left on")
          .append(" the gateway (").append(ttff.path("source").asText()).append(").\n\n")
          .append("| ms | median | p95 | min | max |\n|---|---|---|---|---|\n");
      row(md, "navigation to first rendered frame (browser)", ttff.path("pageToFirstFrameMs"));
      row(md, "offer received to first media packet sent (gateway)", ttff.path("offerToFirstPacketMs"));
      md.append("\nThe gateway's figure comes from its `first media packet sent` log line: outbound-rtp stats polled")
          .append(" every 50 ms (libwebrtc caches them for 50 ms too), so it may be up to 50 ms late.\n");
    } else if (ttff.has("skipped")) {
      md.append("\n## Time to first frame\n\nSkipped: ").append(ttff.path("skipped").asText()).append("\n");
    }

    JsonNode latency = r.path("latency");
    if (latency.has("glassToGlassMs")) {
      JsonNode g = latency.path("glassToGlassMs");
      md.append("\n## Glass-to-glass latency\n\n")
          .append("From the pattern's capture-time stamp to the requestVideoFrameCallback of the frame in headless")
          .append(" Chromium, read off the rendered picture through a canvas; ").append(g.path("count").asInt())
          .append(" frames over ").append(latency.path("seconds").asText()).append(" s at ")
          .append(latency.path("size").asText()).append(", ").append(latency.path("renderedFps").asText())
          .append(" fps rendered, ").append(latency.path("framesSkipped").asText()).append(" frames skipped, ")
          .append(latency.path("framesUnreadable").asText()).append(" unreadable.\n\n")
          .append("| ms | p50 | p95 | p99 | min | max |\n|---|---|---|---|---|---|\n")
          .append("| glass to glass | ").append(g.path("median").asText()).append(" | ").append(g.path("p95").asText())
          .append(" | ").append(g.path("p99").asText()).append(" | ").append(g.path("min").asText()).append(" | ")
          .append(g.path("max").asText()).append(" |\n");
    }

    if (r.path("scaling").size() > 0) {
      md.append("\n## CPU and memory per viewer\n\n")
          .append("Gateway CPU in % of one core from /proc/PID/stat (utime+stime) over each window after a warm-up;")
          .append(" RSS at the end of the window. The load is a separate JVM of webrtc-java receivers (`LoadClient`);")
          .append(" each offers only the codec under test. webrtc-java always decodes what it receives, so the load")
          .append(" process pays a decoder per viewer; its CPU is shown apart. A step *holds* when every viewer decodes")
          .append(" >= ").append((int) Benchmark.HOLD_FPS).append(" fps at the full source size. The source runs with")
          .append(" no viewer (`alwaysOn`), so 0 viewers is the source's own cost.\n");
      md.append("\n| source | codec | CPU per added viewer | RSS per added viewer (outside the Java heap) | most viewers held | gateway alone on all cores (projected) |\n|---|---|---|---|---|---|\n");
      for (JsonNode run : r.path("scaling")) {
        md.append("| ").append(run.path("source").asText()).append(" | ").append(run.path("codec").asText())
            .append(" | ").append(run.path("cpuPerViewer").asText()).append(" % | ")
            .append(run.path("rssMiBPerViewer").asText()).append(" MiB (").append(run.path("rssOutsideHeapMiBPerViewer").asText())
            .append(" MiB) | ").append(run.path("maxViewersHeld").asInt())
            .append(run.has("firstCountNotHeld") ? " (" + run.path("firstCountNotHeld").asInt() + " did not)" : "")
            .append(" | ").append(run.path("projectedViewersAllCores").asText()).append(" |\n");
      }
      for (JsonNode run : r.path("scaling")) {
        md.append("\n### ").append(run.path("source").asText()).append(", ").append(run.path("codec").asText()).append("\n\n");
        stepTable(md, run.path("steps"));
      }
    }

    JsonNode tile = r.path("tile");
    if (tile.has("runs")) {
      md.append("\n## Viewer-size-aware encoding\n\n").append(tile.path("viewers").asInt())
          .append(" viewers of ").append(tile.path("source").asText()).append(" reporting a viewport, against the")
          .append(" same gateway idle (").append(tile.path("codec").asText()).append(").\n\n")
          .append("| viewport | CPU per viewer | received size | fps min | kbps per viewer |\n|---|---|---|---|---|\n");
      for (JsonNode run : tile.path("runs")) {
        JsonNode loaded = run.path("loaded");
        md.append("| ").append(run.path("viewport").asText()).append(" | ").append(run.path("cpuPerViewer").asText())
            .append(" % | ").append(join(loaded.path("sizes"))).append(" | ").append(loaded.path("fpsMin").asText())
            .append(" | ").append(loaded.path("kbpsPerViewer").asText()).append(" |\n");
      }
      md.append("\nTile / full-size CPU ratio: **").append(tile.path("tileToFullRatio").asText()).append("**.\n");
    }

    JsonNode file = r.path("file");
    if (file.size() > 0) {
      md.append("\n## File source\n\n");
      if (file.has("skipped")) {
        md.append("Skipped: ").append(file.path("skipped").asText()).append("\n");
      } else {
        md.append("Clip: `").append(file.path("clip").asText()).append("`, ").append(file.path("clipInfo").asText())
            .append(file.has("clipMadeWith") ? "; made with `" + file.path("clipMadeWith").asText() + "`" : "")
            .append("\n\n");
        if (file.has("decodeFpsOneCore")) {
          md.append("- Decode speed on one core (JCodec and the crop-and-copy to I420, ")
              .append(file.path("pinnedToOneCore").asBoolean() ? "`taskset -c 0`" : "not pinned")
              .append(", no pacing, after one pass of JIT warm-up): **").append(file.path("decodeFpsOneCore").asText())
              .append(" fps** (").append(file.path("decodeFpsIncludingFirstPass").asText()).append(" fps counting the first pass; ")
              .append(file.path("decodedFrames").asText()).append(" frames in ").append(file.path("decodeSeconds").asText())
              .append(" s)\n");
        } else {
          md.append("- Decode speed: ").append(file.path("decodeSkipped").asText()).append("\n");
        }
        if (file.has("idle")) {
          md.append("- Gateway CPU playing the file in real time with no viewer (`alwaysOn`): **")
              .append(file.path("idle").path("gatewayCpuPercent").asText()).append(" %** of one core (RSS ")
              .append(file.path("idle").path("gatewayRssMiB").asText()).append(" MiB)\n")
              .append("- ... with one viewer: ").append(file.path("oneViewer").path("gatewayCpuPercent").asText())
              .append(" % (the viewer decodes ").append(file.path("oneViewer").path("fpsMin").asText()).append(" fps, ")
              .append(join(file.path("oneViewer").path("sizes"))).append(", ")
              .append(join(file.path("oneViewer").path("codecs"))).append(")\n");
        } else {
          md.append("- Gateway: ").append(file.path("gatewaySkipped").asText()).append("\n");
        }
      }
    }
    decode(md, r.path("decode"));
    mjpeg(md, r.path("mjpeg"));
    camera(md, r.path("camera"));
    soak(md, r.path("soak"));
    wall(md, r.path("wall"));
    janus(md, r.path("janus"));
    faces(md, r.path("firstFrameFaces"));
    chromium(md, r.path("chromium"));
    return md.toString();
  }

  private static void faces(StringBuilder md, JsonNode faces) {
    if (faces.size() == 0) {
      return;
    }
    md.append("\n## Time to first frame, three ways\n\n")
        .append("The viewer page in headless Chromium, navigation to its first rendered frame, `")
        .append(faces.path("source").asText()).append("`, ").append(faces.path("loads").asText())
        .append(" loads each. Beside it the gateway's own steps from its log, ms after the offer arrived (median).\n\n")
        .append("| case | median | p95 | min-max | answer | ICE connected | DTLS | first packet |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    faceRow(md, "(a) first viewer after the gateway starts (cold JVM, idle source)", faces.path("coldGateway"));
    faceRow(md, "(b) a fresh browser process, warm gateway", faces.path("freshBrowser"));
    faceRow(md, "(c) a new tab in a warm browser", faces.path("newTab"));
  }

  private static void faceRow(StringBuilder md, String name, JsonNode face) {
    JsonNode t = face.path("pageToFirstFrameMs");
    JsonNode g = face.path("gatewayMs");
    md.append("| ").append(name).append(" | **").append(t.path("median").asText()).append(" ms** | ")
        .append(t.path("p95").asText()).append(" | ").append(t.path("min").asText()).append("-")
        .append(t.path("max").asText()).append(" | ").append(g.at("/offerToAnswer/median").asText()).append(" | ")
        .append(g.at("/offerToIceConnected/median").asText()).append(" | ").append(g.at("/offerToDtls/median").asText())
        .append(" | ").append(g.at("/offerToFirstPacket/median").asText()).append(" |\n");
  }

  private static void chromium(StringBuilder md, JsonNode runs) {
    if (runs.size() == 0) {
      return;
    }
    md.append("\n## Viewers in real browsers\n\n")
        .append("Headless Chromium pages of `/view/STREAM`, ").append(runs.get(0).path("pagesPerBrowser").asText())
        .append(" per browser process, on one always-on stream; then webrtc-java receivers (`LoadClient`) where")
        .append(" a run has them. Each step: ").append(runs.get(0).path("windows").asText()).append(" windows of ")
        .append(runs.get(0).path("windowSeconds").asText()).append(" s, median (min-max). QP is the encoders'")
        .append(" average (`qpSum / framesEncoded`); fps is what the viewers rendered (the slowest viewer's in")
        .append(" brackets). Per added viewer: the least-squares slope of the step medians from 1 viewer up, over the")
        .append(" steps where every viewer rendered at least ").append(ChromiumLoad.HELD_FPS).append(" fps.\n");
    for (JsonNode run : runs) {
      md.append("\n### ").append(run.path("label").asText()).append(": `").append(run.path("source").asText()).append("`");
      if (run.path("maxBitrate").asInt() > 0) {
        md.append(", stream `maxBitrate` ").append(run.path("maxBitrate").asInt() / 1000).append(" kbit/s");
      }
      if (run.has("encoding")) {
        md.append(", `encoding` ").append(run.path("encoding").toString());
      }
      md.append("\n\n| viewers | load | gateway CPU % | viewers' CPU % | kbit/s per viewer | QP | fps (min) | encoded | limited by |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
      for (String column : List.of("chromium", "webrtcJava")) {
        for (JsonNode step : run.path(column)) {
          md.append("| ").append(step.path("viewers").asText()).append(" | ")
              .append(column.equals("chromium") ? "Chromium" : "webrtc-java").append(" | ")
              .append(spread(step.path("gatewayCpuPercent")).replace(" %", "")).append(" | ")
              .append(step.at("/viewerCpuPercent/median").asText()).append(" | ")
              .append(step.at("/kbpsPerViewer/median").asText()).append(" | ")
              .append(step.at("/averageQp/median").asText()).append(" | ")
              .append(step.at("/viewerFpsMedian/median").asText()).append(" (").append(step.at("/viewerFpsMin/min").asText())
              .append(") | ").append(join(step.path("encodedSizes"))).append(" ").append(join(step.path("codecs")))
              .append(" | ").append(join(step.path("qualityLimitations"))).append(" |\n");
        }
      }
      md.append("\nPer added viewer: **").append(run.at("/chromiumFit/gatewayCpuPerViewer").asText())
          .append(" %** of one core with Chromium (slopes through the windows' lows and highs: ")
          .append(run.at("/chromiumFit/gatewayCpuPerViewerFromMins").asText()).append(" / ")
          .append(run.at("/chromiumFit/gatewayCpuPerViewerFromMaxes").asText()).append(")");
      if (run.has("webrtcJavaFit")) {
        md.append(", ").append(run.at("/webrtcJavaFit/gatewayCpuPerViewer").asText()).append(" % with webrtc-java");
      }
      md.append(".\n");
    }
  }

  private static void decode(StringBuilder md, JsonNode decode) {
    if (decode.isMissingNode()) {
      return;
    }
    md.append("\n## Files at real-world sizes (decode)\n\n");
    if (decode.has("skipped")) {
      md.append("Skipped: ").append(decode.path("skipped").asText()).append("\n");
      return;
    }
    md.append("ffmpeg's testsrc2, 12 s at 30 fps, 3 B-frames, a GOP of ").append(decode.path("gopFrames").asText())
        .append(" frames. Decode: flat out through the gateway's decoder path (one decoder process, a lane per GOP,"
            + " pooled buffers), median (min-max) over rounds. Gateway: playing the file in real time, its decoder"
            + " processes counted in, a window of 20 s after 30 s of play (by then the decoders' JIT has compiled"
            + " JCodec), on the Java named above.\n\n")
        .append("| clip | decode fps, 1 lane | 2 lanes | speed-up | gateway CPU, no viewer | 1 Chromium viewer"
            + " | source fps (1 viewer) | viewer renders | dropped / min (0 / 1 viewer) | gateway + decoder RSS |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode clip : decode.path("clips")) {
      JsonNode fps = clip.path("decodeFps");
      JsonNode idle = clip.path("idle");
      JsonNode one = clip.path("oneViewer");
      md.append("| ").append(clip.path("size").asText()).append(" ").append(clip.path("profile").asText())
          .append(" | ").append(fps.path("1lanes").path("median").asText()).append(" (")
          .append(fps.path("1lanes").path("min").asText()).append("-").append(fps.path("1lanes").path("max").asText())
          .append(") | ").append(fps.path("2lanes").path("median").asText()).append(" (")
          .append(fps.path("2lanes").path("min").asText()).append("-").append(fps.path("2lanes").path("max").asText())
          .append(") | ").append(fps.path("speedUp").asText()).append("x | ")
          .append(idle.path("gatewayCpuPercent").asText()).append(" % | ")
          .append(one.path("gatewayCpuPercent").asText()).append(" % | ")
          .append(one.path("sourceFps").asText()).append(" | ")
          .append(one.path("viewerRenderedFps").asText()).append(" fps | ")
          .append(idle.path("framesDroppedPerMinute").asText()).append(" / ")
          .append(one.path("framesDroppedPerMinute").asText()).append(" | ")
          .append(one.path("gatewayRssMiB").asText()).append(" + ").append(one.path("decoderProcessesRssMiB").asText())
          .append(" MiB |\n");
    }
  }

  private static void janus(StringBuilder md, JsonNode janus) {
    if (janus.size() == 0) {
      return;
    }
    md.append("\n## Publishing to an SFU (Janus)\n\n");
    if (janus.has("skipped")) {
      md.append("Skipped: ").append(janus.path("skipped").asText()).append("\n");
      return;
    }
    md.append("One publication of `").append(janus.path("source").asText()).append("` over WHIP to Janus 1.1.2")
        .append(" (VideoRoom, behind simple-whip-server) in a network namespace of its own; the gateway and one")
        .append(" headless Chromium in another, its page subscribing over Janus' HTTP API with one peer connection")
        .append(" per viewer. Gateway CPU in % of one core, median of the windows (each window in the next column).\n\n")
        .append("| viewers on Janus | gateway CPU % | windows | viewers' fps | latency p50 / p95 ms |\n|---|---|---|---|---|\n");
    for (String step : List.of("one", "many")) {
      JsonNode s = janus.path(step);
      md.append("| ").append(s.path("viewers").asText()).append(" | ")
          .append(s.path("gatewayCpuPercent").path("median").asText()).append(" | ")
          .append(join(s.path("gatewayCpuWindows"))).append(" | ").append(join(s.path("viewerFps"))).append(" | ")
          .append(s.path("latencyMs").path("median").asText()).append(" / ")
          .append(s.path("latencyMs").path("p95").asText()).append(" |\n");
    }
    JsonNode restart = janus.path("restart");
    md.append("\n- Gateway CPU, ").append(janus.path("viewersMany").asText()).append(" viewers minus 1: **")
        .append(janus.path("gatewayCpuDeltaPercent").asText()).append(" %** of one core\n")
        .append("- Janus killed (SIGKILL) and started again ").append(restart.path("times").asText())
        .append(" times: the publisher back in the room ").append(join(restart.path("publisherBackMsEach")))
        .append(" ms after Janus answered again (median ").append(restart.path("publisherBackMs").path("median").asText())
        .append("); a new subscriber's first frame after ").append(restart.path("firstFrameMs").path("median").asText())
        .append(" ms (median)\n");
  }

  private static void camera(StringBuilder md, JsonNode camera) {
    if (camera.size() == 0) {
      return;
    }
    md.append("\n## IP camera (RTSP)\n\n");
    if (camera.has("skipped")) {
      md.append("Skipped: ").append(camera.path("skipped").asText()).append("\n");
    } else {
      md.append(camera.path("server").asText()).append(", serving ffmpeg-made H.264 (testsrc2, Main, no B-frames, a")
          .append(" key frame every ").append(camera.path("gopSeconds").asInt()).append(" s) to the gateway jar, which")
          .append(" plays it with `alwaysOn`. Gateway CPU in % of one core over each window, its JVM and its decoder")
          .append(" processes together (JCodec runs in the latter); the added latency is the")
          .append(" source's own measure, from the arrival of a picture's last RTP packet to its hand-off to")
          .append(" libwebrtc (`gateway_source_latency_seconds`, last 1024 pictures). The viewer is headless Chromium")
          .append(" on the same machine (its CPU is among the other processes).\n\n")
          .append("| size | decode on one core | gateway CPU, no viewer | ... one viewer | decoded fps | decode ms/frame |")
          .append(" added latency p50 / p95 | viewer renders | dropped | others CPU |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|\n");
      for (JsonNode size : camera.path("sizes")) {
        JsonNode idle = size.path("idle");
        JsonNode one = size.path("oneViewer");
        if (size.has("skipped")) {
          md.append("| ").append(size.path("size").asText()).append(" | skipped: ").append(size.path("skipped").asText())
              .append(" |||||||||\n");
          continue;
        }
        md.append("| ").append(size.path("size").asText()).append("@30 | ")
            .append(size.path("decode").path("fpsOneCore").asText()).append(" fps | ")
            .append(idle.path("gatewayCpuPercent").asText()).append(" % | ")
            .append(one.path("gatewayCpuPercent").asText()).append(" % | ")
            .append(idle.path("decodedFps").asText()).append(" / ").append(one.path("decodedFps").asText()).append(" | ")
            .append(idle.path("decodeMsPerFrame").asText()).append(" / ").append(one.path("decodeMsPerFrame").asText())
            .append(" | ").append(one.path("addedLatencyP50Ms").asText()).append(" / ")
            .append(one.path("addedLatencyP95Ms").asText()).append(" ms | ")
            .append(one.path("viewerRenderedFps").asText()).append(" fps | ")
            .append(idle.path("framesDropped").asText()).append(" / ").append(one.path("framesDropped").asText())
            .append(" | ").append(idle.path("otherProcessesCpuPercent").asText()).append(" / ")
            .append(one.path("otherProcessesCpuPercent").asText()).append(" % |\n");
      }
      md.append("\nPairs are no viewer / one viewer.\n");
      for (JsonNode size : camera.path("sizes")) {
        JsonNode join = size.path("joiningViewer").path("pageToFirstFrameMs");
        if (join.has("median")) {
          md.append("\n- A viewer joining the running ").append(size.path("size").asText()).append(" camera (")
              .append(join.path("count").asInt()).append(" page loads): first frame after **")
              .append(join.path("median").asText()).append(" ms** median, p95 ").append(join.path("p95").asText())
              .append(" ms, max ").append(join.path("max").asText()).append(" ms; a relay would wait for the camera's")
              .append(" next key frame, up to ").append(camera.path("gopSeconds").asInt()).append(" s.\n");
        }
        JsonNode back = size.path("restarts").path("pictureBackMs");
        if (back.has("median")) {
          md.append("- The camera killed, down ").append(size.path("restarts").path("outageSeconds").asText())
              .append(" s and started again, ").append(back.path("count").asInt()).append(" times: the open page")
              .append(" renders a picture again after ").append(join(size.path("restarts").path("allPictureBackMs")))
              .append(" ms (median **").append(back.path("median").asText()).append(" ms**); the gateway decodes")
              .append(" again after ").append(join(size.path("restarts").path("allGatewayDecodesAgainMs")))
              .append(" ms.\n");
        }
      }
    }
  }

  private static void soak(StringBuilder md, JsonNode soak) {
    if (soak.size() == 0) {
      return;
    }
    md.append("\n## Long sessions: memory\n\n")
        .append(soak.path("viewers").asInt()).append(" webrtc-java viewers of a 640x360@30 pattern for ")
        .append(soak.path("minutes").asInt()).append(" min (").append(soak.path("viewersAtEnd").asInt())
        .append(" still connected at the end); the metrics poller reads every session's statistics every 5 s, and")
        .append(" `/metrics` and `/api/sessions` are scraped every 15 s. Resident memory outside the Java heap, every minute;")
        .append(" the slope is fitted after the first minutes.\n\n")
        .append("- Growth outside the heap: **").append(soak.path("outsideHeapSlopeMiBPerHour").asText())
        .append(" MiB per hour** (").append(soak.path("outsideHeapGrowthMiB").asText()).append(" MiB over the fitted span)\n\n")
        .append("| minute | RSS MiB | outside the heap MiB |\n|---|---|---|\n");
    for (JsonNode sample : soak.path("samples")) {
      md.append("| ").append(sample.path("minutes").asText()).append(" | ").append(sample.path("rssMiB").asText())
          .append(" | ").append(sample.path("outsideHeapMiB").asText()).append(" |\n");
    }
  }

  private static void wall(StringBuilder md, JsonNode wall) {
    if (wall.size() == 0) {
      return;
    }
    md.append("\n## Dashboard wall\n\n");
    if (wall.has("skipped")) {
      md.append("Skipped: ").append(wall.path("skipped").asText()).append("\n");
      return;
    }
    md.append(wall.path("tiles").asInt()).append(" streams of `").append(wall.path("source").asText()).append("` in ")
        .append(wall.path("tileSize").asText()).append(" tiles in headless Chromium, a ")
        .append(wall.path("viewport").asText()).append(" page that neither scrolls: the wall page (`/wall`, one")
        .append(" WebSocket and one peer connection) against a page of 16 `/embed` iframes (one of each per tile).")
        .append(" Time from navigation until every tile has shown a frame, over ")
        .append(wall.path("wallPage").path("allTilesVideoMs").path("count").asText())
        .append(" loads of each (alternating, no session left between); CPU in % of one core while all play, median")
        .append(" of the windows (min-max), the two pages taking turns window by window; the browser's CPU is every")
        .append(" Chromium process's.\n\n")
        .append("| page | all tiles showing video, median (min-max) ms | gateway CPU | browser CPU | tile fps, median (min) | gateway sessions |\n")
        .append("|---|---|---|---|---|---|\n");
    wallRow(md, "wall (`/wall`)", wall.path("wallPage"));
    wallRow(md, "16 `/embed` iframes", wall.path("embeds"));
    if (wall.path("wallPage").path("playing").has("gatewayPartsPercent")) {
      md.append("\nThe gateway's CPU by its threads, median of the windows (sources: the streams' own threads;")
          .append(" encoders: libwebrtc's per-viewer encoder queues; connections: libwebrtc's worker, network and")
          .append(" signaling threads, the sessions' and the HTTP server's):\n\n")
          .append("- wall: ").append(WallCost.partMedians(wall.path("wallPage").path("playing"))).append("\n")
          .append("- 16 embeds: ").append(WallCost.partMedians(wall.path("embeds").path("playing"))).append("\n");
    }
  }

  private static void wallRow(StringBuilder md, String name, JsonNode page) {
    JsonNode times = page.path("allTilesVideoMs");
    JsonNode playing = page.path("playing");
    md.append("| ").append(name).append(" | **").append(times.path("median").asText()).append("** (")
        .append(times.path("min").asText()).append("-").append(times.path("max").asText()).append(") | ")
        .append(spread(playing.path("gatewayCpuPercent"))).append(" | ").append(spread(playing.path("browserCpuPercent")))
        .append(" | ").append(playing.path("tileFps").path("median").asText()).append(" (")
        .append(playing.path("tileFps").path("min").asText()).append(") | ").append(playing.path("sessions").asText())
        .append(" |\n");
  }

  private static String spread(JsonNode p) {
    return "**" + p.path("median").asText() + " %** (" + p.path("min").asText() + "-" + p.path("max").asText() + ")";
  }

  private static void mjpeg(StringBuilder md, JsonNode mjpeg) {
    if (mjpeg.size() == 0) {
      return;
    }
    md.append("\n## MJPEG source\n\n");
    JsonNode decode = mjpeg.path("decode");
    if (decode.has("runs")) {
      md.append("JPEG to I420 on one core (").append(decode.path("pinnedToOneCore").asBoolean() ? "`taskset -c 0`" : "not pinned")
          .append("), 30 JPEGs made with `").append(decode.path("jpegsMadeWith").asText())
          .append("`, decoded round and round after a warm-up; fps per window.\n\n")
          .append("| decoder | size | mean JPEG | fps median | min | max |\n|---|---|---|---|---|---|\n");
      for (JsonNode run : decode.path("runs")) {
        JsonNode fps = run.path("fps");
        md.append("| ").append(run.path("decoder").asText().equals("imageio") ? "JDK ImageIO raster (the gateway's)" : "JCodec")
            .append(" | ").append(run.path("size").asText()).append(" | ").append(run.path("meanJpegBytes").asInt() / 1024)
            .append(" KiB | **").append(fps.path("median").asText()).append("** | ").append(fps.path("min").asText())
            .append(" | ").append(fps.path("max").asText()).append(" |\n");
      }
    } else if (decode.has("skipped")) {
      md.append("Decode speed skipped: ").append(decode.path("skipped").asText()).append("\n");
    }
    JsonNode gateway = mjpeg.path("gateway");
    if (gateway.has("idle")) {
      md.append("\nGateway CPU (% of one core) reading ").append(MjpegSourceCost.SIZE).append("@").append(MjpegSourceCost.FPS)
          .append(" MJPEG that ffmpeg serves over HTTP (`alwaysOn`), median of the windows (min-max); ffmpeg's own CPU beside it:\n\n")
          .append("| viewers | gateway CPU | ffmpeg CPU | gateway RSS MiB | rendered |\n|---|---|---|---|---|\n");
      cpuRow(md, "0", gateway.path("idle"));
      if (gateway.path("oneViewer").has("gatewayCpuPercent")) {
        cpuRow(md, "1 (Chromium)", gateway.path("oneViewer"));
      }
      JsonNode source = gateway.path("source");
      md.append("\nThe source's own figures at the end: ").append(source.path("size").asText()).append(", ")
          .append(source.path("measuredFps").asText()).append(" fps, ").append(source.path("bitrateInKbps").asText())
          .append(" kbit/s in, mean decode ").append(source.path("meanDecodeMs").asText()).append(" ms over ")
          .append(source.path("decodedFrames").asText()).append(" frames, arrival-to-hand-off p50 / p95 ")
          .append(source.path("addedLatencyP50Ms").asText()).append(" / ").append(source.path("addedLatencyP95Ms").asText())
          .append(" ms, ").append(source.path("framesDropped").asText()).append(" dropped, ")
          .append(source.path("reconnects").asText()).append(" reconnects.\n");
    } else if (gateway.has("skipped")) {
      md.append("\nGateway cost skipped: ").append(gateway.path("skipped").asText()).append("\n");
    }
  }

  private static void cpuRow(StringBuilder md, String viewers, JsonNode step) {
    JsonNode cpu = step.path("gatewayCpuPercent");
    md.append("| ").append(viewers).append(" | **").append(cpu.path("median").asText()).append(" %** (")
        .append(cpu.path("min").asText()).append("-").append(cpu.path("max").asText()).append(") | ")
        .append(step.path("ffmpegCpuPercent").path("median").asText()).append(" % | ")
        .append(step.path("gatewayRssMiB").asText()).append(" | ")
        .append(step.has("renderedFps") ? step.path("renderedFps").asText() + " fps, " + step.path("renderedSize").asText() : "-")
        .append(" |\n");
  }

  private static void row(StringBuilder md, String name, JsonNode p) {
    md.append("| ").append(name).append(" | ").append(p.path("median").asText()).append(" | ")
        .append(p.path("p95").asText()).append(" | ").append(p.path("min").asText()).append(" | ")
        .append(p.path("max").asText()).append(" |\n");
  }

  private static void stepTable(StringBuilder md, JsonNode steps) {
    md.append("| viewers | gateway CPU % | gateway RSS MiB (of it Java heap) | load CPU % | other processes CPU % | machine busy % (of ")
        .append(MachineStat.cores() * 100).append(") | fps min / median | received size | kbps per viewer | held |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonNode s : steps) {
      md.append("| ").append(s.path("viewers").asInt()).append(" | ").append(s.path("gatewayCpuPercent").asText())
          .append(" | ").append(s.path("gatewayRssMiB").asText()).append(" (").append(s.path("gatewayHeapMiB").asText())
          .append(") | ").append(s.path("loadCpuPercent").asText())
          .append(" | ").append(s.path("otherProcessesCpuPercent").asText())
          .append(" | ").append(s.path("machineBusyPercent").asText()).append(" | ");
      if (s.path("viewers").asInt() == 0) {
        md.append("- | - | - | - |\n");
      } else {
        md.append(s.path("fpsMin").asText()).append(" / ").append(s.path("fpsMedian").asText()).append(" | ")
            .append(join(s.path("sizes"))).append(" | ").append(s.path("kbpsPerViewer").asText()).append(" | ")
            .append(s.path("held").asBoolean() ? "yes" : "**no**").append(" |\n");
      }
    }
  }

  private static String join(JsonNode values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asText()));
    return String.join(", ", out);
  }
}
