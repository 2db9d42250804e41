package io.webrtcgw.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /metrics parses as Prometheus text, and its numbers move when a viewer comes and goes. */
class MetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ADMIN = "metrics-admin-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** name{labels} value, per the text exposition format; # lines are comments. */
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestGateway.config(Limits.DEFAULT, StreamConfig.of("pattern", "pattern:320x180@30"))
        .withAuth(AuthConfig.of(List.of(), ADMIN)));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .header("Authorization", "Bearer " + ADMIN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /** Every sample, keyed by name and labels as written; fails on a line that is not a sample. */
  static Map<String, Double> scrape() throws Exception {
    Map<String, Double> samples = new HashMap<>();
    for (String line : get("/metrics").split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
    }
    return samples;
  }

  private static double value(String key) {
    try {
      return scrape().getOrDefault(key, Double.NaN);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void countersMoveWhenAViewerComesAndGoes() throws Exception {
    Map<String, Double> before = scrape();
    assertEquals(0.0, before.get("gateway_viewers{stream=\"pattern\"}"));
    double started = before.get("gateway_sessions_started_total{stream=\"pattern\"}");
    double sent = before.get("gateway_sent_bytes_total{stream=\"pattern\"}");
    double framesIn = before.get("gateway_frames_in_total{stream=\"pattern\"}");
    assertTrue(before.containsKey("gateway_frames_dropped_total{stream=\"pattern\"}"), before.keySet().toString());
    assertTrue(before.containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}")
        || before.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")));

    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(10, WAIT);
      assertEquals(1.0, value("gateway_viewers{stream=\"pattern\"}"));
      assertEquals(1.0, value("gateway_sessions_active"));
      assertEquals(started + 1, value("gateway_sessions_started_total{stream=\"pattern\"}"));
      Await.until("bytes sent sampled from the session's stats",
          () -> value("gateway_sent_bytes_total{stream=\"pattern\"}") > sent + 1000, WAIT);

      JsonNode sessions = new ObjectMapper().readTree(get("/api/sessions"));
      assertEquals(1, sessions.size(), sessions.toString());
      JsonNode session = sessions.get(0);
      assertEquals("pattern", session.path("stream").asText());
      assertTrue(List.of("connected", "completed").contains(session.path("iceState").asText()), session.toString());
      assertTrue(List.of("VP8", "VP9", "H264", "AV1").contains(session.path("codec").asText()), session.toString());
      assertTrue(session.path("bytesSent").asLong() > 0, session.toString());
      assertTrue(session.path("bitrate").asLong() > 0, session.toString());
      assertTrue(session.path("fps").asDouble() > 0, session.toString());
      assertEquals("host", session.path("candidateType").asText(), session.toString());
    }

    Await.until("the session's end is counted", () -> value(
        "gateway_sessions_ended_total{reason=\"viewer-left\",stream=\"pattern\"}") == 1.0, WAIT);
    Map<String, Double> after = scrape();
    assertEquals(0.0, after.get("gateway_viewers{stream=\"pattern\"}"));
    assertEquals(0.0, after.get("gateway_sessions_active"));
    assertTrue(after.get("gateway_frames_in_total{stream=\"pattern\"}") > framesIn + 10);
    assertTrue(after.get("gateway_frames_pushed_total{stream=\"pattern\"}") > 10);
  }

  @Test
  void signalingErrorsAreCountedByCode() throws Exception {
    try (var client = io.webrtcgw.testing.SignalingClient.connect(gateway.port(), "pattern")) {
      client.expect("hello", WAIT);
      client.send("{not json");
      Await.until("bad-json counted",
          () -> value("gateway_signaling_errors_total{code=\"bad-json\"}") >= 1.0, WAIT);
    }
  }
}
