package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.source.file.DecodeLanesProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files at real-world sizes (issue 13): ffmpeg-made H.264 with B-frames, 720p30 Main and 1080p30
 * High, GOPs of 2 s. Per clip: decode throughput flat out on 1 and on 2 lanes of the gateway's
 * decoder path (several rounds, for the spread), then the real gateway playing the file: its CPU
 * (decoder processes counted in) with no viewer and with one Chromium viewer, what the source
 * decoded and dropped per minute, and what the viewer rendered.
 */
final class DecodeCost {
  private static final Logger log = LoggerFactory.getLogger(DecodeCost.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int GOP_FRAMES = 60;

  private final Path jar;
  private final Path out;
  private final int rounds;
  private final Duration probeSeconds;
  private final Duration settle;
  private final Duration window;

  DecodeCost(Path jar, Path out, int rounds, Duration probeSeconds, Duration settle, Duration window) {
    this.jar = jar;
    this.out = out;
    this.rounds = rounds;
    this.probeSeconds = probeSeconds;
    this.settle = settle;
    this.window = window;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode().put("gopFrames", GOP_FRAMES);
    if (!BrowserProbe.available()) {
      return result.put("skipped", "needs chromium and chromium-driver");
    }
    ArrayNode clips = result.putArray("clips");
    clips.add(measure("1280x720", "main"));
    clips.add(measure("1920x1080", "high"));
    return result;
  }

  private ObjectNode measure(String size, String profile) throws Exception {
    ObjectNode run = JSON.createObjectNode().put("size", size).put("profile", profile).put("fps", 30);
    Path clip = out.resolve("decode-" + size + "-" + profile + ".mp4");
    List<String> encode = List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
        "-i", "testsrc2=size=" + size + ":rate=30", "-t", "12", "-c:v", "libx264", "-profile:v", profile,
        "-bf", "3", "-g", String.valueOf(GOP_FRAMES), "-pix_fmt", "yuv420p", clip.toString());
    log.info("decode {} {}: making the clip", size, profile);
    Process ffmpeg = new ProcessBuilder(encode).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolve("ffmpeg-decode.log").toFile())).start();
    if (!ffmpeg.waitFor(10, TimeUnit.MINUTES) || ffmpeg.exitValue() != 0) {
      return run.put("skipped", "ffmpeg could not make the clip; see " + out.resolve("ffmpeg-decode.log"));
    }
    run.put("clipMadeWith", String.join(" ", encode));
    ObjectNode decode = run.putObject("decodeFps");
    for (int lanes : new int[] {1, 2}) {
      List<Double> fps = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        JsonNode probe = probe(clip, lanes, size + "-" + lanes);
        if (probe == null) {
          decode.put("skipped", "the decode probe failed; see " + out.resolve("decode-probe-" + size + "-" + lanes + ".log"));
          break;
        }
        fps.add(probe.path("fps").asDouble());
        run.put("clipInfo", probe.path("clipInfo").asText()).put("gops", probe.path("gops").asInt());
      }
      ObjectNode lane = decode.putObject(lanes + "lanes");
      new Percentiles(fps).writeTo(lane);
      lane.set("all", JSON.valueToTree(fps.stream().map(Percentiles::round).toList()));
      log.info("  {} lane(s): {} fps", lanes, fps);
    }
    double one = decode.path("1lanes").path("median").asDouble();
    double two = decode.path("2lanes").path("median").asDouble();
    decode.put("speedUp", one <= 0 ? 0 : Percentiles.round(two / one));

    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "decode-" + size, "bench",
        "file:" + clip.toAbsolutePath(), true)) {
      log.info("decode {}: the gateway plays it, no viewer", size);
      Thread.sleep(settle.toMillis());
      run.set("idle", perMinute(CameraSourceCost.window(gateway, null, window)));
      try (BrowserProbe browser = new BrowserProbe()) {
        browser.watch(gateway.port(), "bench");
        log.info("decode {}: one Chromium viewer", size);
        Thread.sleep(settle.toMillis());
        run.set("oneViewer", perMinute(CameraSourceCost.window(gateway, browser, window)));
      }
    } catch (IllegalStateException e) {
      run.put("gatewaySkipped", "the gateway did not serve the file: "
          + e.getMessage().lines().reduce((a, b) -> b).orElse(""));
    }
    return run;
  }

  private static ObjectNode perMinute(ObjectNode window) {
    double seconds = window.path("windowSeconds").asDouble();
    return window.put("framesDroppedPerMinute",
        seconds <= 0 ? -1 : Percentiles.round(window.path("framesDropped").asLong() * 60 / seconds));
  }

  private JsonNode probe(Path clip, int lanes, String name) throws Exception {
    Path logFile = out.resolve("decode-probe-" + name + ".log");
    List<String> command = List.of("java", "-cp", System.getProperty("java.class.path"),
        DecodeLanesProbe.class.getName(), clip.toString(), String.valueOf(lanes),
        String.valueOf(probeSeconds.toSeconds()));
    Process probe = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    String text;
    try {
      text = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return null;
    }
    if (!probe.waitFor(5, TimeUnit.MINUTES) || probe.exitValue() != 0 || text.isEmpty()) {
      return null;
    }
    return JSON.readTree(text.substring(text.lastIndexOf('\n') + 1));
  }
}
