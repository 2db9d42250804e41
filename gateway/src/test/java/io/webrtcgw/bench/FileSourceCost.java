package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.webrtcgw.source.file.DecodeSpeedProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one 720p30 H.264 file stream costs: JCodec's decode speed on one core (a separate JVM pinned
 * with {@code taskset -c 0}) and the gateway's CPU while it plays the file in real time, with no
 * viewer and with one.
 */
final class FileSourceCost {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The clip the issue names: Debian's ffmpeg, testsrc2, H.264 Main, 20 s of 1280x720 at 30 fps. */
  private static final List<String> FFMPEG = List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "20",
      "-c:v", "libx264", "-profile:v", "main", "-pix_fmt", "yuv420p", "-movflags", "+faststart");

  /** Measures one gateway step; the benchmark's own measurement. */
  @FunctionalInterface
  interface Step {
    ObjectNode measure(GatewayProcess gateway, LoadProcess load, int viewers, int width, int height) throws Exception;
  }

  private final Path jar;
  private final Path out;
  private final Path clip;
  private final Step step;

  FileSourceCost(Path jar, Path out, Path clip, Step step) {
    this.jar = jar;
    this.out = out;
    this.clip = clip;
    this.step = step;
  }

  ObjectNode run() throws Exception {
    ObjectNode result = JSON.createObjectNode();
    Path file = clip;
    if (file == null) {
      file = out.resolve("clip-1280x720-30-main.mp4");
      List<String> command = new ArrayList<>(FFMPEG);
      command.add(file.toString());
      try {
        Process ffmpeg = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(out.resolve("ffmpeg.log").toFile()).start();
        if (!ffmpeg.waitFor(5, TimeUnit.MINUTES) || ffmpeg.exitValue() != 0) {
          return result.put("skipped", "ffmpeg could not make the clip; see " + out.resolve("ffmpeg.log"));
        }
      } catch (IOException e) {
        return result.put("skipped", "ffmpeg is not installed (apt-get install ffmpeg), so there is no clip");
      }
      result.put("clipMadeWith", String.join(" ", command));
    }
    result.put("clip", file.toString());

    List<String> decode = new ArrayList<>(List.of("java", "-cp", System.getProperty("java.class.path"),
        DecodeSpeedProbe.class.getName(), file.toString(), "20"));
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"));
    if (pinned) {
      decode.addAll(0, List.of("taskset", "-c", "0"));
    }
    Process probe = new ProcessBuilder(decode).redirectError(out.resolve("decode-speed.log").toFile()).start();
    String line = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    probe.waitFor(5, TimeUnit.MINUTES);
    if (probe.exitValue() != 0 || line.isEmpty()) {
      result.put("decodeSkipped", "the decode probe failed; see " + out.resolve("decode-speed.log"));
    } else {
      JsonNode speed = JSON.readTree(line.substring(line.lastIndexOf('\n') + 1));
      result.put("clipInfo", speed.path("clipInfo").asText())
          .put("pinnedToOneCore", pinned)
          .put("decodedFrames", speed.path("frames").asLong())
          .put("decodeSeconds", Percentiles.round(speed.path("seconds").asDouble()))
          .put("decodeFpsOneCore", Percentiles.round(speed.path("warmFps").asDouble()))
          .put("decodeFpsIncludingFirstPass", Percentiles.round(speed.path("fps").asDouble()));
    }

    try (GatewayProcess gateway = GatewayProcess.start(jar, out, "file", "bench", "file:" + file.toAbsolutePath(), true);
        LoadProcess load = LoadProcess.start(gateway.port(), "bench", List.of(), out.resolve("file-load.log"))) {
      result.set("idle", step.measure(gateway, load, 0, 0, 0));
      load.add(1);
      result.set("oneViewer", step.measure(gateway, load, 1, 1280, 720));
    } catch (IllegalStateException e) {
      // The gateway refusing the file (e.g. a build without the file source) is a finding, not a crash.
      result.put("gatewaySkipped", "the gateway did not serve the file: " + e.getMessage().lines().reduce((a, b) -> b).orElse(""));
    }
    return result;
  }
}
