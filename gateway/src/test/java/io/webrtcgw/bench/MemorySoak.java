package io.webrtcgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long sessions keep their memory: the real gateway jar (as deployed) serves {@code viewers}
 * webrtc-java viewers from a separate process for {@code duration}, with its metrics poller
 * reading every session's statistics every 5 s and {@code /metrics} and {@code /api/sessions}
 * scraped as a dashboard and Prometheus would. Every {@code every} it samples the gateway's
 * resident memory outside its Java heap, and fits a line through the samples after the first
 * few minutes: the slope, in MB per hour, is the growth a dashboard left open for days would see.
 */
final class MemorySoak {
  private static final Logger log = LoggerFactory.getLogger(MemorySoak.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM = "soak";
  private static final String ADMIN = "soak-admin-token";

  /** One sample: minutes since the viewers joined, RSS and the part of it outside the heap (MiB). */
  record Sample(double minutes, double rssMiB, double outsideHeapMiB) {}

  /** What the soak saw; {@code slopeMiBPerHour} is fitted to the samples after the warm-up. */
  record Result(List<Sample> samples, double slopeMiBPerHour, double growthMiB, int viewersAtEnd) {}

  private MemorySoak() {}

  /** @param jar the gateway jar, or null to run the gateway from this JVM's class path (tests) */
  static Result run(Path jar, Path workDir, int viewers, Duration duration, Duration every, Duration warmUp)
      throws Exception {
    ObjectNode config = JSON.createObjectNode().put("host", "127.0.0.1").put("port", 0);
    config.putArray("streams").addObject().put("name", STREAM).put("source", "pattern:640x360@30");
    config.putObject("auth").put("adminToken", ADMIN);
    Path configFile = workDir.resolve("soak.json");
    Files.writeString(configFile, config.toPrettyString());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (GatewayProcess gateway = GatewayProcess.startConfig(jar, workDir, "soak", configFile);
        LoadProcess load = LoadProcess.start(gateway.port(), STREAM, List.of("--codec", "H264"),
            workDir.resolve("soak-load.log"))) {
      load.add(viewers);
      List<Sample> samples = new ArrayList<>();
      long start = System.nanoTime();
      long nextSample = start;
      long nextScrape = start;
      long end = start + duration.toNanos();
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        if (now >= nextScrape) {
          // As a dashboard's admin page and a Prometheus scrape would, every 15 s.
          scrape(http, gateway.port(), "/metrics");
          scrape(http, gateway.port(), "/api/sessions");
          nextScrape += TimeUnit.SECONDS.toNanos(15);
        }
        if (now >= nextSample) {
          ProcStat stat = ProcStat.of(gateway.pid());
          long heap = gateway.heapResidentKiB();
          double minutes = (now - start) / 60e9;
          Sample sample = new Sample(Percentiles.round(minutes), Percentiles.round(stat.rssKiB() / 1024.0),
              heap < 0 ? -1 : Percentiles.round((stat.rssKiB() - heap) / 1024.0));
          samples.add(sample);
          log.info("soak: {} min, RSS {} MiB, outside the heap {} MiB", sample.minutes(), sample.rssMiB(),
              sample.outsideHeapMiB());
          nextSample += every.toNanos();
        }
        long wait = Math.min(Math.min(nextSample, nextScrape), end) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
      int still = stillReceiving(load);
      List<Sample> fitted = samples.stream().filter(s -> s.minutes() >= warmUp.toSeconds() / 60.0).toList();
      double slope = slopePerHour(fitted);
      double growth = fitted.isEmpty() ? 0
          : fitted.get(fitted.size() - 1).outsideHeapMiB() - fitted.get(0).outsideHeapMiB();
      return new Result(samples, Percentiles.round(slope), Percentiles.round(growth), still);
    }
  }

  /** Viewers whose decoded frame count grows over a 2 s window: those still connected and playing. */
  private static int stillReceiving(LoadProcess load) throws Exception {
    JsonNode before = load.stats().path("viewers");
    TimeUnit.SECONDS.sleep(2);
    JsonNode after = load.stats().path("viewers");
    int still = 0;
    for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
      if (after.get(i).path("framesDecoded").asLong() > before.get(i).path("framesDecoded").asLong()) {
        still++;
      }
    }
    return still;
  }

  private static void scrape(HttpClient http, int port, String path) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      log.warn("soak: {} failed: {}", path, e.toString());
    }
  }

  /** Least squares slope of outside-heap memory over time, in MiB per hour. */
  static double slopePerHour(List<Sample> samples) {
    int n = samples.size();
    if (n < 2) {
      return 0;
    }
    double meanX = samples.stream().mapToDouble(Sample::minutes).average().orElse(0);
    double meanY = samples.stream().mapToDouble(Sample::outsideHeapMiB).average().orElse(0);
    double num = 0;
    double den = 0;
    for (Sample s : samples) {
      num += (s.minutes() - meanX) * (s.outsideHeapMiB() - meanY);
      den += (s.minutes() - meanX) * (s.minutes() - meanX);
    }
    return den == 0 ? 0 : num / den * 60;
  }

  /** The result as a report section. */
  static ObjectNode toJson(Result result, int viewers, Duration duration) {
    ObjectNode node = JSON.createObjectNode()
        .put("viewers", viewers)
        .put("minutes", duration.toMinutes())
        .put("viewersAtEnd", result.viewersAtEnd())
        .put("outsideHeapSlopeMiBPerHour", result.slopeMiBPerHour())
        .put("outsideHeapGrowthMiB", result.growthMiB());
    ArrayNode samples = node.putArray("samples");
    for (Sample s : result.samples()) {
      samples.addObject().put("minutes", s.minutes()).put("rssMiB", s.rssMiB()).put("outsideHeapMiB", s.outsideHeapMiB());
    }
    return node;
  }
}
