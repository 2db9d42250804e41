package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.source.mjpeg.JpegDecodeSpeedProbe;
import io.webrtcgw.testing.Browser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an MJPEG camera costs: JPEG decoding (with the conversion to I420) on one core, the JDK's
 * reader that the gateway uses against JCodec's, at 640x480 and 1280x720 (a separate JVM pinned
 * with {@code taskset -c 0}); and the gateway's CPU reading a 640x480@15 MJPEG stream that ffmpeg
 * serves over HTTP, with no viewer and with one headless Chromium viewer.
 */
final class MjpegSourceCost {
  private static final Logger log = LoggerFactory.getLogger(MjpegSourceCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String STREAM = "bench";
  static final int FPS = 15;
  static final String SIZE = "640x480";
  /** Camera-like quality: ffmpeg's -q:v 4 is about libjpeg quality 85. */
  private static final String QUALITY = "4";

  private final Path jar;
  private final Path out;
  private final boolean quick;

  MjpegSourceCost(Path jar, Path out, boolean quick) {
    this.jar = jar;
    this.out = out;
    this.quick = quick;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode();
    result.set("decode", decodeSpeed());
    result.set("gateway", gatewayCost());
    return result;
  }

  private ObjectNode decodeSpeed() throws Exception {
    ObjectNode decode = JSON.createObjectNode();
    List<String> command = new ArrayList<>(List.of("java", "-cp", System.getProperty("java.class.path"),
        JpegDecodeSpeedProbe.class.getName(), quick ? "1" : "3", quick ? "3" : "5"));
    for (String size : List.of("640x480", "1280x720")) {
      Path dir = out.resolve("mjpeg-jpegs-" + size);
      Files.createDirectories(dir);
      if (!ffmpeg(out.resolve("mjpeg-jpegs.log"), "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=" + FPS,
          "-frames:v", "30", "-q:v", QUALITY, dir.resolve("frame-%02d.jpg").toString())) {
        return decode.put("skipped", "ffmpeg could not make the JPEGs; see " + out.resolve("mjpeg-jpegs.log"));
      }
      command.add(dir.toString());
    }
    decode.put("jpegsMadeWith", "ffmpeg -f lavfi -i testsrc2=size=WxH:rate=" + FPS + " -frames:v 30 -q:v " + QUALITY);
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"));
    if (pinned) {
      command.addAll(0, List.of("taskset", "-c", "0"));
    }
    decode.put("pinnedToOneCore", pinned);
    log.info("MJPEG: JPEG decode speed on one core");
    Process probe = new ProcessBuilder(command).redirectError(out.resolve("mjpeg-decode-speed.log").toFile()).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!probe.waitFor(5, TimeUnit.MINUTES) || probe.exitValue() != 0 || output.isEmpty()) {
      return decode.put("skipped", "the decode probe failed; see " + out.resolve("mjpeg-decode-speed.log"));
    }
    ArrayNode runs = decode.putArray("runs");
    for (JsonNode run : JSON.readTree(output.substring(output.lastIndexOf('\n') + 1)).path("runs")) {
      List<Double> fps = new ArrayList<>();
      run.path("fps").forEach(f -> fps.add(f.asDouble()));
      ObjectNode row = runs.addObject().put("decoder", run.path("decoder").asText()).put("size", run.path("size").asText())
          .put("meanJpegBytes", run.path("meanJpegBytes").asInt());
      new Percentiles(fps).writeTo(row.putObject("fps"));
      log.info("  {} {}: {} fps (median of {})", row.path("decoder").asText(), row.path("size").asText(),
          row.path("fps").path("median"), fps.size());
    }
    return decode;
  }

  private ObjectNode gatewayCost() throws Exception {
    ObjectNode cost = JSON.createObjectNode();
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> serve = List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=" + SIZE + ":rate=" + FPS, "-q:v", QUALITY,
        "-f", "mpjpeg", "-content_type", "multipart/x-mixed-replace;boundary=ffmpeg",
        "-listen", "1", "http://127.0.0.1:" + port + "/cam.mjpg");
    cost.put("camera", String.join(" ", serve));
    Process ffmpeg;
    try {
      ffmpeg = new ProcessBuilder(serve).redirectErrorStream(true)
          .redirectOutput(out.resolve("mjpeg-ffmpeg.log").toFile()).start();
    } catch (IOException e) {
      return cost.put("skipped", "ffmpeg is not installed (apt-get install ffmpeg)");
    }
    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "mjpeg", STREAM,
        "http://127.0.0.1:" + port + "/cam.mjpg", true)) {
      awaitRunning(gateway.port(), Duration.ofSeconds(30));
      Thread.sleep(quick ? 3000 : 15000);
      log.info("MJPEG: gateway CPU, {}@{} from ffmpeg, no viewer", SIZE, FPS);
      cost.set("idle", windows(gateway, ffmpeg));
      if (!BrowserProbe.available()) {
        cost.putObject("oneViewer").put("skipped", "Debian's chromium and chromium-driver are not installed");
      } else {
        try (Browser browser = new Browser()) {
          browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/" + STREAM);
          browser.awaitState("playing", Duration.ofSeconds(30));
          Thread.sleep(quick ? 3000 : 8000);
          log.info("MJPEG: gateway CPU with one Chromium viewer");
          ObjectNode viewer = windows(gateway, ffmpeg);
          Browser.Playback playback = browser.measurePlayback(5);
          viewer.put("renderedFps", Percentiles.round(playback.fps()))
              .put("renderedSize", playback.width() + "x" + playback.height());
          cost.set("oneViewer", viewer);
        }
      }
      cost.set("source", sourceFigures(gateway.port()));
    } finally {
      ffmpeg.destroy();
      if (!ffmpeg.waitFor(10, TimeUnit.SECONDS)) {
        ffmpeg.destroyForcibly();
      }
    }
    return cost;
  }

  /** Gateway CPU over several windows (median and spread), with ffmpeg's and the machine's beside it. */
  private ObjectNode windows(GatewayProcess gateway, Process ffmpeg) throws Exception {
    int count = quick ? 2 : 4;
    long millis = quick ? 3000 : 5000;
    List<Double> gatewayCpu = new ArrayList<>();
    List<Double> ffmpegCpu = new ArrayList<>();
    List<Double> machine = new ArrayList<>();
    long rss = 0;
    for (int i = 0; i < count; i++) {
      ProcStat g0 = gateway.stat();
      ProcStat f0 = ProcStat.of(ffmpeg.pid());
      MachineStat m0 = MachineStat.now();
      Thread.sleep(millis);
      ProcStat g1 = gateway.stat();
      ProcStat f1 = ProcStat.of(ffmpeg.pid());
      MachineStat m1 = MachineStat.now();
      gatewayCpu.add(g1.cpuPercentSince(g0));
      ffmpegCpu.add(f1.cpuPercentSince(f0));
      machine.add(m1.busyPercentSince(m0, MachineStat.cores()));
      rss = g1.rssKiB();
    }
    ObjectNode node = JSON.createObjectNode().put("windows", count).put("windowSeconds", millis / 1000.0);
    new Percentiles(gatewayCpu).writeTo(node.putObject("gatewayCpuPercent"));
    new Percentiles(ffmpegCpu).writeTo(node.putObject("ffmpegCpuPercent"));
    new Percentiles(machine).writeTo(node.putObject("machineBusyPercent"));
    node.put("gatewayRssMiB", Percentiles.round(rss / 1024.0));
    log.info("  gateway {}% of one core (median of {}, {}-{}), ffmpeg {}%, machine {}%",
        node.path("gatewayCpuPercent").path("median"), count, node.path("gatewayCpuPercent").path("min"),
        node.path("gatewayCpuPercent").path("max"), node.path("ffmpegCpuPercent").path("median"),
        node.path("machineBusyPercent").path("median"));
    return node;
  }

  private static final Pattern DECODE_SUM = Pattern.compile("gateway_source_decode_seconds_sum\\{stream=\"" + STREAM + "\"} ([0-9.eE+-]+)");
  private static final Pattern DECODE_COUNT = Pattern.compile("gateway_source_decode_seconds_count\\{stream=\"" + STREAM + "\"} ([0-9.eE+-]+)");
  private static final Pattern LATENCY = Pattern.compile("gateway_source_latency_seconds\\{quantile=\"(0\\.5|0\\.95)\",stream=\"" + STREAM + "\"} ([0-9.eE+-]+)");

  /** What the source says about itself: /api/streams, and decode time and added delay from /metrics. */
  private static ObjectNode sourceFigures(int port) throws Exception {
    ObjectNode figures = JSON.createObjectNode();
    JsonNode stream = JSON.readTree(get(port, "/api/streams")).get(0);
    figures.put("state", stream.path("state").asText())
        .put("codec", stream.path("codec").asText())
        .put("size", stream.path("width").asInt() + "x" + stream.path("height").asInt())
        .put("measuredFps", stream.path("measuredFps").asDouble())
        .put("bitrateInKbps", stream.path("bitrateIn").asLong() / 1000)
        .put("framesDropped", stream.path("framesDropped").asLong())
        .put("reconnects", stream.path("reconnects").asLong());
    String metrics = get(port, "/metrics");
    Matcher sum = DECODE_SUM.matcher(metrics);
    Matcher count = DECODE_COUNT.matcher(metrics);
    if (sum.find() && count.find() && Double.parseDouble(count.group(1)) > 0) {
      figures.put("meanDecodeMs", Percentiles.round(Double.parseDouble(sum.group(1)) * 1000 / Double.parseDouble(count.group(1))))
          .put("decodedFrames", (long) Double.parseDouble(count.group(1)));
    }
    Matcher latency = LATENCY.matcher(metrics);
    while (latency.find()) {
      figures.put(latency.group(1).equals("0.5") ? "addedLatencyP50Ms" : "addedLatencyP95Ms",
          Percentiles.round(Double.parseDouble(latency.group(2)) * 1000));
    }
    log.info("  source: {}", figures);
    return figures;
  }

  private static void awaitRunning(int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last = get(port, "/api/streams");
      if (JSON.readTree(last).get(0).path("state").asText().equals("running")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the MJPEG stream did not start within " + timeout.toSeconds() + " s: " + last);
  }

  private static String get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static boolean ffmpeg(Path logFile, String... args) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
      return process.waitFor(2, TimeUnit.MINUTES) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
