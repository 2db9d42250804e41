package io.webrtcgw.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.source.pattern.FrameStamp;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.TestGateway;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /snapshot/{stream}.jpg of an idle pattern stream: a real JPEG of the stream's picture. */
class SnapshotTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void idleStreamGivesAFreshJpegAndStopsAgain() throws Exception {
    LiveStream stream = gateway.streams().find("pattern").orElseThrow();
    assertTrue(!stream.sourceRunning(), "nobody watches, so the source is idle");
    long requested = System.currentTimeMillis();
    HttpResponse<byte[]> response = get("/snapshot/pattern.jpg");
    assertEquals(200, response.statusCode(), new String(response.body()));
    assertEquals("image/jpeg", response.headers().firstValue("Content-Type").orElse(""));
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertEquals(640, image.getWidth());
    assertEquals(360, image.getHeight());

    // The stamp survives JPEG: its time is when the source made the frame, just after the request.
    FrameStamp stamp = FrameStamp.read((x, y) -> luma(image.getRGB(x, y)), image.getWidth(), image.getHeight());
    long age = stamp.timeMillis() - (requested & ((1L << FrameStamp.TIME_BITS) - 1));
    assertTrue(age >= -50 && age < 5_000, "stamp time " + stamp.timeMillis() + " is " + age + " ms after the request");
    assertEquals(0, stream.viewers(), "a snapshot takes no viewer slot");
    Await.until("the source stops after the snapshot", () -> !stream.sourceRunning(), Duration.ofSeconds(5));
  }

  @Test
  void widthScalesKeepingAspect() throws Exception {
    HttpResponse<byte[]> response = get("/snapshot/pattern.jpg?width=320");
    assertEquals(200, response.statusCode());
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertEquals(320, image.getWidth());
    assertEquals(180, image.getHeight());
  }

  @Test
  void badRequestsAreRefused() throws Exception {
    assertEquals(404, get("/snapshot/nosuch.jpg").statusCode());
    assertEquals(404, get("/snapshot/pattern.png").statusCode());
    assertEquals(400, get("/snapshot/pattern.jpg?width=abc").statusCode());
    assertEquals(400, get("/snapshot/pattern.jpg?width=100000").statusCode());
  }

  /** BT.601 limited-range luma of an RGB pixel, as the encoder's Y was. */
  private static int luma(int rgb) {
    int r = (rgb >> 16) & 0xFF;
    int g = (rgb >> 8) & 0xFF;
    int b = rgb & 0xFF;
    return (int) Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
  }
}
