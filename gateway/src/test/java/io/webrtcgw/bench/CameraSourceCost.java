package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.source.rtsp.GstRtspServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an IP camera costs and how it behaves: GStreamer's RTSP server serves ffmpeg-made H.264
 * (testsrc2, Main, no B-frames, a key frame every 4 s, as a camera's main stream) at 720p30 and
 * 1080p30, and the real gateway plays it over RTSP/TCP. Per size: JCodec's decode speed on one core
 * through the RTSP source's decoder, the gateway's CPU with no viewer and with one Chromium viewer,
 * and the delay the gateway adds (last RTP packet of a picture in, picture handed to libwebrtc);
 * at 720p also a joining viewer's time to first frame and how soon the picture is back in an open
 * page after the camera restarts.
 */
final class CameraSourceCost {
  private static final Logger log = LoggerFactory.getLogger(CameraSourceCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String STREAM = "bench";
  static final int GOP_SECONDS = 4;
  private static final Pattern METRIC = Pattern.compile("^(\\w+)\\{([^}]*)\\} (\\S+)$");

  private final Path jar;
  private final Path out;
  private final Duration settle;
  private final Duration window;
  private final int loads;
  private final int restarts;
  private final Duration outage;

  CameraSourceCost(Path jar, Path out, Duration settle, Duration window, int loads, int restarts, Duration outage) {
    this.jar = jar;
    this.out = out;
    this.settle = settle;
    this.window = window;
    this.loads = loads;
    this.restarts = restarts;
    this.outage = outage;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode();
    if (!Files.isExecutable(GstRtspServer.PYTHON) || !BrowserProbe.available()) {
      return result.put("skipped", "needs Debian's python3-gi and gir1.2-gst-rtsp-server-1.0 (GStreamer's RTSP"
          + " server) and chromium with chromium-driver");
    }
    result.put("server", "GStreamer " + gstVersion() + " rtsp-server (serve.py), RTP over the RTSP connection (TCP)");
    result.put("gopSeconds", GOP_SECONDS);
    ArrayNode sizes = result.putArray("sizes");
    for (String size : List.of("1280x720", "1920x1080")) {
      sizes.add(measureSize(size, size.equals("1280x720")));
    }
    return result;
  }

  private ObjectNode measureSize(String size, boolean withJoinsAndRestarts) throws Exception {
    ObjectNode run = JSON.createObjectNode().put("size", size).put("fps", 30);
    log.info("camera {}: making the clip", size);
    Path clip = clip(size, run);
    if (clip == null) {
      return run;
    }
    run.set("decode", decodeSpeed(size));
    try (GstRtspServer camera = GstRtspServer.start("--clip", clip.toString());
        GatewayProcess gateway = GatewayProcess.start(jar, out, "camera-" + size, STREAM, camera.url(null), true)) {
      log.info("camera {}: no viewer", size);
      Thread.sleep(settle.toMillis());
      run.set("idle", window(gateway, null, window));
      try (BrowserProbe browser = new BrowserProbe()) {
        browser.watch(gateway.port(), STREAM);
        log.info("camera {}: one Chromium viewer", size);
        Thread.sleep(Math.min(settle.toMillis(), 8000));
        run.set("oneViewer", window(gateway, browser, window));
        if (withJoinsAndRestarts) {
          run.set("restarts", restarts(camera, gateway, browser));
          browser.leave();
          log.info("camera {}: {} viewers joining the running stream", size, loads);
          browser.timeToFirstFrame(gateway.port(), STREAM, 1);
          List<Double> firstFrames = browser.timeToFirstFrame(gateway.port(), STREAM, loads);
          ObjectNode join = run.putObject("joiningViewer");
          new Percentiles(firstFrames).writeTo(join.putObject("pageToFirstFrameMs"));
          join.set("allPageToFirstFrameMs", JSON.valueToTree(firstFrames.stream().map(Percentiles::round).toList()));
        }
      }
    }
    return run;
  }

  /** The clip: 30 s encoded once, remuxed five times over so that no window sees the stream end. */
  private Path clip(String size, ObjectNode run) throws Exception {
    Path once = out.resolve("camera-" + size + "-once.mp4");
    Path looped = out.resolve("camera-" + size + ".mp4");
    Path raw = out.resolve("camera-" + size + ".h264");
    List<String> encode = List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
        "-i", "testsrc2=size=" + size + ":rate=30", "-t", "30", "-c:v", "libx264", "-preset", "veryfast",
        "-profile:v", "main", "-bf", "0", "-g", String.valueOf(30 * GOP_SECONDS), "-pix_fmt", "yuv420p",
        once.toString());
    if (!ffmpeg(encode) || !ffmpeg(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "4",
        "-i", once.toString(), "-c", "copy", looped.toString()))
        || !ffmpeg(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", once.toString(), "-t", "10",
            "-c:v", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "h264", raw.toString()))) {
      run.put("skipped", "ffmpeg could not make the clip; see " + out.resolve("ffmpeg-camera.log"));
      return null;
    }
    run.put("clipMadeWith", String.join(" ", encode) + " (then remuxed to 150 s)");
    return looped;
  }

  private boolean ffmpeg(List<String> command) throws Exception {
    try {
      Process ffmpeg = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("ffmpeg-camera.log").toFile())).start();
      return ffmpeg.waitFor(5, TimeUnit.MINUTES) && ffmpeg.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private ObjectNode decodeSpeed(String size) throws Exception {
    ObjectNode speed = JSON.createObjectNode();
    Path raw = out.resolve("camera-" + size + ".h264");
    List<String> command = new ArrayList<>(List.of("java", "-cp", System.getProperty("java.class.path"),
        CameraDecodeSpeedProbe.class.getName(), raw.toString(), "20"));
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"));
    if (pinned) {
      command.addAll(0, List.of("taskset", "-c", "0"));
    }
    log.info("camera {}: decode speed on one core", size);
    Process probe = new ProcessBuilder(command).redirectError(out.resolve("camera-decode-" + size + ".log").toFile())
        .start();
    String line = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    probe.waitFor(5, TimeUnit.MINUTES);
    if (probe.exitValue() != 0 || line.isEmpty()) {
      return speed.put("skipped", "the decode probe failed; see " + out.resolve("camera-decode-" + size + ".log"));
    }
    JsonNode measured = JSON.readTree(line.substring(line.lastIndexOf('\n') + 1));
    return speed.put("pinnedToOneCore", pinned)
        .put("size", measured.path("size").asText())
        .put("frames", measured.path("frames").asLong())
        .put("seconds", Percentiles.round(measured.path("seconds").asDouble()))
        .put("fpsOneCore", Percentiles.round(measured.path("warmFps").asDouble()))
        .put("fpsIncludingFirstPass", Percentiles.round(measured.path("fps").asDouble()));
  }

  /** The gateway's decoder processes (its child JVMs, the spare among them), by pid. */
  static Map<Long, ProcStat> decoderProcesses(GatewayProcess gateway) {
    return ProcessHandle.of(gateway.pid()).map(root -> ProcStat.descendants(root, null)).orElse(Map.of());
  }

  /**
   * One window of stream {@value #STREAM}: the gateway's CPU and memory (its decoder processes
   * counted in), what the source counted, and the viewer's frame rate.
   */
  static ObjectNode window(GatewayProcess gateway, BrowserProbe browser, Duration window) throws Exception {
    JsonNode before = sourceFigures(gateway);
    long rendered0 = browser == null ? 0 : browser.framesRendered();
    ProcStat g0 = gateway.stat();
    Map<Long, ProcStat> d0 = decoderProcesses(gateway);
    MachineStat m0 = MachineStat.now();
    Thread.sleep(window.toMillis());
    ProcStat g1 = gateway.stat();
    Map<Long, ProcStat> d1 = decoderProcesses(gateway);
    MachineStat m1 = MachineStat.now();
    long rendered1 = browser == null ? 0 : browser.framesRendered();
    JsonNode after = sourceFigures(gateway);
    double seconds = (g1.nanoTime() - g0.nanoTime()) / 1e9;
    // The gateway decodes in processes of its own: their CPU is the gateway's too.
    double jvmCpu = g1.cpuPercentSince(g0);
    double decoderCpu = ProcStat.cpuPercent(d0, d1);
    double gatewayCpu = jvmCpu + decoderCpu;
    double machine = m1.busyPercentSince(m0, MachineStat.cores());
    long decodes = after.path("decodes").asLong() - before.path("decodes").asLong();
    double decodeSeconds = after.path("decodeSeconds").asDouble() - before.path("decodeSeconds").asDouble();
    ObjectNode w = JSON.createObjectNode()
        .put("gatewayCpuPercent", Percentiles.round(gatewayCpu))
        .put("gatewayJvmCpuPercent", Percentiles.round(jvmCpu))
        .put("decoderProcessesCpuPercent", Percentiles.round(decoderCpu))
        .put("gatewayRssMiB", Percentiles.round(g1.rssKiB() / 1024.0))
        .put("decoderProcessesRssMiB", Percentiles.round(
            d1.values().stream().mapToLong(ProcStat::rssKiB).sum() / 1024.0))
        .put("machineBusyPercent", Percentiles.round(machine))
        .put("otherProcessesCpuPercent", Percentiles.round(Math.max(0, machine - gatewayCpu)))
        .put("decodedFps", Percentiles.round(decodes / seconds))
        .put("decodeMsPerFrame", decodes == 0 ? -1 : Percentiles.round(decodeSeconds * 1000 / decodes))
        .put("sourceFps", after.path("measuredFps").asDouble())
        .put("framesDropped", after.path("dropped").asLong() - before.path("dropped").asLong())
        .put("packetsLost", after.path("lost").asLong() - before.path("lost").asLong())
        .put("addedLatencyP50Ms", Percentiles.round(after.path("latencyP50").asDouble() * 1000))
        .put("addedLatencyP95Ms", Percentiles.round(after.path("latencyP95").asDouble() * 1000))
        .put("bitrateInKbps", after.path("bitrateIn").asLong() / 1000)
        .put("size", after.path("size").asText())
        .put("windowSeconds", Percentiles.round(seconds));
    if (browser != null) {
      w.put("viewerRenderedFps", Percentiles.round((rendered1 - rendered0) / seconds));
    }
    log.info("  gateway {}% cpu, decoded {} fps at {} ms, added latency p50 {} p95 {} ms, dropped {}{}",
        w.get("gatewayCpuPercent"), w.get("decodedFps"), w.get("decodeMsPerFrame"), w.get("addedLatencyP50Ms"),
        w.get("addedLatencyP95Ms"), w.get("framesDropped"),
        browser == null ? "" : ", viewer renders " + w.get("viewerRenderedFps") + " fps");
    return w;
  }

  /** The source's own figures from /metrics and /api/streams. */
  private static JsonNode sourceFigures(GatewayProcess gateway) throws Exception {
    ObjectNode figures = JSON.createObjectNode();
    for (String line : get(gateway, "/metrics").split("\n")) {
      Matcher m = METRIC.matcher(line);
      if (!m.matches() || !m.group(2).contains("stream=\"" + STREAM + "\"")) {
        continue;
      }
      double value = Double.parseDouble(m.group(3));
      switch (m.group(1)) {
        case "gateway_source_decode_seconds_count" -> figures.put("decodes", (long) value);
        case "gateway_source_decode_seconds_sum" -> figures.put("decodeSeconds", value);
        case "gateway_source_frames_dropped_total" -> figures.put("dropped", (long) value);
        case "gateway_source_packets_lost_total" -> figures.put("lost", (long) value);
        case "gateway_source_latency_seconds" -> figures.put(
            m.group(2).contains("quantile=\"0.5\"") ? "latencyP50" : "latencyP95", value);
        default -> {
          // other metrics are not this part's
        }
      }
    }
    for (JsonNode stream : JSON.readTree(get(gateway, "/api/streams"))) {
      if (stream.path("name").asText().equals(STREAM)) {
        figures.put("measuredFps", stream.path("measuredFps").asDouble())
            .put("bitrateIn", stream.path("bitrateIn").asLong())
            .put("size", stream.path("width").asInt() + "x" + stream.path("height").asInt())
            .put("state", stream.path("state").asText());
      }
    }
    return figures;
  }

  /**
   * Kills the camera (SIGKILL, as a power cut) while a viewer watches, keeps it down for the
   * outage, starts it again and times how soon the gateway decodes a picture again (from its log)
   * and how soon the open page renders one.
   */
  private ObjectNode restarts(GstRtspServer camera, GatewayProcess gateway, BrowserProbe browser) throws Exception {
    ObjectNode result = JSON.createObjectNode().put("outageSeconds", outage.toSeconds());
    List<Long> back = new ArrayList<>();
    List<Long> decoded = new ArrayList<>();
    for (int i = 0; i < restarts; i++) {
      log.info("camera restart {} of {}: down for {} s", i + 1, restarts, outage.toSeconds());
      int pictures = firstPictures(gateway).size();
      camera.kill();
      Thread.sleep(outage.toMillis());
      camera.restart();
      long restarted = System.currentTimeMillis();
      LocalTime restartedAt = LocalTime.now();
      long frame = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (frame < 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
        frame = browser.firstFrameAfter(restarted);
      }
      back.add(frame < 0 ? -1 : frame - restarted);
      List<String> lines = firstPictures(gateway);
      long gatewayMillis = -1;
      if (lines.size() > pictures) {
        LocalTime at = LocalTime.parse(lines.get(lines.size() - 1).substring(0, 12));
        gatewayMillis = Duration.between(restartedAt, at).toMillis();
      }
      decoded.add(gatewayMillis);
      log.info("  gateway decodes again {} ms, the page shows a picture {} ms after the camera", gatewayMillis,
          back.get(back.size() - 1));
      Thread.sleep(3000);
    }
    new Percentiles(back).writeTo(result.putObject("pictureBackMs"));
    result.set("allPictureBackMs", JSON.valueToTree(back));
    new Percentiles(decoded).writeTo(result.putObject("gatewayDecodesAgainMs"));
    result.set("allGatewayDecodesAgainMs", JSON.valueToTree(decoded));
    return result;
  }

  private static List<String> firstPictures(GatewayProcess gateway) {
    return gateway.lines(line -> line.contains("first picture from the camera"));
  }

  private static String get(GatewayProcess gateway, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static String gstVersion() {
    try {
      Process gst = new ProcessBuilder("gst-launch-1.0", "--gst-version").redirectErrorStream(true).start();
      String text = new String(gst.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      gst.waitFor(10, TimeUnit.SECONDS);
      return text.replaceAll(".*version ", "");
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
