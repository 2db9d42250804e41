package io.webrtcgw.source.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** A camera stream without a camera is unavailable, says why, and disturbs no other stream. */
class CameraStreamTest {
  @Test
  void missingCameraIsReportedAndOtherStreamsKeepPlaying() throws Exception {
    Assumptions.assumeFalse(Files.exists(Path.of("/dev/video0")), "this machine has a camera");
    try (Gateway gateway = TestGateway.start(Limits.DEFAULT,
        new StreamConfig("cam", "camera:", true, 0), StreamConfig.of("pattern", "pattern:320x180@30"))) {
      HttpClient http = HttpClient.newHttpClient();
      URI api = URI.create("http://127.0.0.1:" + gateway.port() + "/api/streams");
      Await.until("camera stream to be unavailable", () -> cameraState(http, api).path("state").asText().equals("unavailable"),
          Duration.ofSeconds(10));
      JsonNode cam = cameraState(http, api);
      assertTrue(cam.path("error").asText().contains("no camera is connected"), cam.toString());

      try (SignalingClient client = SignalingClient.connect(gateway.port(), "cam")) {
        client.expect("hello", Duration.ofSeconds(10));
        JsonNode error = client.expect("error", Duration.ofSeconds(10));
        assertEquals("source-unavailable", error.path("code").asText());
        assertTrue(error.path("message").asText().contains("no camera is connected"), error.toString());
      }

      try (ViewerPeers peers = new ViewerPeers();
          LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
        viewer.awaitFrames(30, Duration.ofSeconds(15));
      }
    }
  }

  private static JsonNode cameraState(HttpClient http, URI api) {
    try {
      String body = http.send(HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (JsonNode stream : new ObjectMapper().readTree(body)) {
        if (stream.path("name").asText().equals("cam")) {
          return stream;
        }
      }
      throw new AssertionError("no stream 'cam' in " + body);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
