package io.webrtcgw.source.mjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.SourceOptions;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.mjpeg.CameraHttpServer.Mode;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * HTTP cameras in the real gateway, watched by a webrtc-java viewer: a stalled camera makes only
 * its stream unavailable, with the reason in {@code /api/streams} and to its viewer, who keeps the
 * session and gets pictures again when the camera recovers; logins work from the URL and from the
 * options, and no password reaches the API, the metrics or the log.
 */
class MjpegStreamTest {
  private static final String PASSWORD = "Cam-pass-4417";
  private static final String WRONG_PASSWORD = "Wrong-pass-9925";
  private static final SourceOptions FAST = SourceOptions.DEFAULT.withStallTimeout(Duration.ofSeconds(1));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static CameraHttpServer camera;
  private static Gateway gateway;
  private static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    camera = new CameraHttpServer(PASSWORD, 15);
    camera.steadySize = true;
    gateway = TestGateway.start(
        StreamConfig.of("cam", camera.url("/cam")).withOptions(FAST),
        StreamConfig.of("locked", "http://" + CameraHttpServer.USER + ":" + PASSWORD + "@127.0.0.1:" + camera.port()
            + "/basic").withOptions(FAST),
        StreamConfig.of("refused", camera.url("/digest")).withOptions(FAST.withLogin(CameraHttpServer.USER, WRONG_PASSWORD))
            .withAlwaysOn(true),
        StreamConfig.of("pattern", "pattern:320x180@15"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (camera != null) {
      camera.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : logs.list) {
      lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage()));
    }
    assertTrue(lines.stream().anyMatch(line -> line.contains("authentication failed")),
        "the appender saw the sources' log: " + lines);
    for (String line : lines) {
      assertFalse(line.contains(PASSWORD) || line.contains(WRONG_PASSWORD), "a password reached the log: " + line);
    }
  }

  private static String get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonNode stream(String name) {
    try {
      for (JsonNode stream : JSON.readTree(get("/api/streams"))) {
        if (stream.path("name").asText().equals(name)) {
          return stream;
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no stream " + name);
  }

  @Test
  void aStalledCameraIsReportedAndItsViewerGetsPicturesAgainInTheSameSession() throws Exception {
    try (ViewerPeers peers = new ViewerPeers();
        LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "cam");
        LoopbackViewer bystander = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      viewer.awaitFrames(10, Duration.ofSeconds(20));
      bystander.awaitFrames(10, Duration.ofSeconds(20));
      JsonNode running = stream("cam");
      assertEquals("running", running.path("state").asText(), running.toString());
      assertEquals("mjpeg", running.path("kind").asText());
      assertEquals("mjpeg", running.path("codec").asText());
      assertEquals(320, running.path("width").asInt());
      assertEquals(180, running.path("height").asInt());
      // The meter counts whole seconds before the current one: ten frames at 30 fps may all fall in
      // the current second, so the bitrate shows once one has passed.
      Await.until("a bitrate in for stream cam", () -> stream("cam").path("bitrateIn").asLong() > 0,
          Duration.ofSeconds(5));

      camera.mode = Mode.STALL_MID_PART;
      JsonNode error = viewer.signaling().expect("error", Duration.ofSeconds(15));
      assertEquals("source-unavailable", error.path("code").asText());
      String reason = "no data from 127.0.0.1:" + camera.port() + " for 1 s";
      assertTrue(error.path("message").asText().contains(reason), error.toString());
      JsonNode unavailable = stream("cam");
      assertEquals("unavailable", unavailable.path("state").asText(), unavailable.toString());
      assertTrue(unavailable.path("error").asText().contains(reason), unavailable.toString());
      int bystanderFrames = bystander.frameCount();
      bystander.awaitFrames(bystanderFrames + 15, Duration.ofSeconds(10));

      camera.mode = Mode.STREAM;
      int before = viewer.frameCount();
      viewer.awaitFrames(before + 10, Duration.ofSeconds(20));
      JsonNode back = stream("cam");
      assertEquals("running", back.path("state").asText(), back.toString());
      assertTrue(back.path("reconnects").asLong() >= 1, back.toString());
      assertFalse(back.has("error"), back.toString());
      assertTrue(get("/healthz").contains("\"sessions\":2"), "the viewers kept their sessions: " + get("/healthz"));
    }
  }

  @Test
  void loginsWorkAndNoPasswordReachesTheApiOrTheMetrics() throws Exception {
    try (ViewerPeers peers = new ViewerPeers();
        LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "locked")) {
      viewer.awaitFrames(10, Duration.ofSeconds(20));
    }
    Await.until(() -> "stream 'refused' to say why: " + stream("refused"),
        () -> stream("refused").path("error").asText().contains("authentication failed"), Duration.ofSeconds(15));
    JsonNode refused = stream("refused");
    assertEquals("unavailable", refused.path("state").asText());
    assertEquals("authentication failed: the camera refused the login of user 'viewer'", refused.path("error").asText());
    for (String path : List.of("/api/streams", "/metrics", "/")) {
      String body = get(path);
      assertFalse(body.contains(PASSWORD) || body.contains(WRONG_PASSWORD), path + " shows a password: " + body);
    }
  }
}
