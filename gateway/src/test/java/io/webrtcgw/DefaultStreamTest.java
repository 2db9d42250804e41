package io.webrtcgw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.config.CommandLine;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.ViewerPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * With no arguments the gateway serves the bundled demo clip as stream {@code demo}, even when it
 * is not started from the repository root (tests run in gateway/, where samples/ does not exist).
 */
class DefaultStreamTest {
  @Test
  void servesTheBundledDemoClip() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("samples/demo.mp4")),
        "run from a directory without samples/ so that the bundled copy is used");
    CommandLine line = CommandLine.parse(new String[] {"--port", "0", "--host", "127.0.0.1"});
    try (Gateway gateway = Gateway.start(line.config(), Clock.systemUTC())) {
      String body = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/api/streams")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      JsonNode demo = new ObjectMapper().readTree(body).get(0);
      assertEquals("demo", demo.path("name").asText());
      assertEquals("file", demo.path("kind").asText());
      assertEquals(640, demo.path("width").asInt());
      assertEquals(360, demo.path("height").asInt());
      assertEquals(30.0, demo.path("fps").asDouble(), 0.01);

      try (ViewerPeers peers = new ViewerPeers();
          LoopbackViewer viewer = LoopbackViewer.openQuiet(peers.factory(), gateway.port(), "demo")) {
        viewer.expect("hello", Duration.ofSeconds(10));
        viewer.offer();
        viewer.awaitFrames(30, Duration.ofSeconds(20));
      }
    }
  }
}
