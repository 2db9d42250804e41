package io.webrtcgw.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import dev.onvoid.webrtc.RTCIceServer;
import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.PublishConfig;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.config.TurnConfig;
import io.webrtcgw.media.LiveStream;
import io.webrtcgw.rtc.TurnCredentials;
import io.webrtcgw.source.SourceFactory;
import io.webrtcgw.source.camera.NativeCameraDevices;
import io.webrtcgw.source.h264.DecoderSandbox;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Coturn;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import io.webrtcgw.testing.WhipEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The gateway publishes to a WHIP endpoint of the test's own, with real libwebrtc on both ends: the
 * endpoint's peer connection decodes the pattern and reads its stamp. Each test has a fresh
 * gateway and endpoint.
 */
class PublicationTest {
  private static final String TOKEN = "whip-bearer-Token_1234.abc";
  private static final String ADMIN = "admin-token-1234";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TURN_SECRET = "coturn-publish-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Quick waits, so that a refusal's slow retry comes within a test's patience. */
  private static final Publication.Timings TIMINGS = new Publication.Timings(Duration.ofSeconds(1),
      Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5),
      Duration.ofSeconds(1),
      new RetryPolicy(Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(6), 0.2));

  @TempDir
  static Path dir;
  private static ViewerPeers peers;
  private static ListAppender<ILoggingEvent> logs;
  private WhipEndpoint endpoint;
  private Gateway gateway;

  @BeforeAll
  static void peers() {
    peers = new ViewerPeers();
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterAll
  static void closePeers() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    peers.close();
  }

  @BeforeEach
  void startEndpoint() throws Exception {
    endpoint = WhipEndpoint.start(peers.factory());
    endpoint.requireToken(TOKEN);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    endpoint.close();
  }

  private Gateway start(PublishConfig... targets) throws Exception {
    GatewayConfig config = TestGateway.config(Limits.DEFAULT,
            StreamConfig.of("pattern", "pattern:640x360@30").withPublish(List.of(targets)))
        .withAuth(AuthConfig.of(List.of(), ADMIN));
    DecoderSandbox decoders = DecoderSandbox.create();
    gateway = Gateway.start(config, Clock.systemUTC(),
        new SourceFactory(Clock.systemUTC(), new NativeCameraDevices(), decoders), TIMINGS, decoders);
    return gateway;
  }

  private PublishConfig target() {
    return PublishConfig.of(endpoint.url("lobby").toString(), TOKEN);
  }

  private Publication publication() {
    return gateway.publications().all().get(0);
  }

  @Test
  void publishesThePatternInOrderAndDeletesTheResourceAtShutdown() throws Exception {
    start(target());
    endpoint.awaitFrames(90, WAIT);
    List<ReceivedFrame> frames = endpoint.frames();
    ReceivedFrame last = frames.get(frames.size() - 1);
    assertEquals(640, last.width());
    assertEquals(360, last.height());
    assertInOrder(frames);

    WhipEndpoint.Request post = endpoint.requests("POST").get(0);
    assertEquals("Bearer " + TOKEN, post.header("Authorization"));
    assertEquals("application/sdp", post.header("Content-Type"));
    assertTrue(post.body().contains("a=sendonly"), post.body());
    assertTrue(post.body().contains("a=candidate:"), "the offer carries its candidates: " + post.body());
    assertTrue(post.body().contains("a=end-of-candidates"), post.body());
    assertEquals(1, endpoint.requests("POST").size());

    LiveStream stream = gateway.streams().find("pattern").orElseThrow();
    assertTrue(stream.sourceRunning(), "the publication keeps the source running");
    assertEquals(0, stream.viewers(), "a publication takes no viewer slot");
    assertEquals(Publication.State.CONNECTED, publication().state());
    Await.until("a bitrate from the statistics", () -> publication().status().sentBitrate() > 0, WAIT);

    JsonNode listed = api();
    assertEquals(1, listed.size());
    JsonNode info = listed.get(0);
    assertEquals("pattern", info.path("stream").asText());
    assertEquals("127.0.0.1:" + endpoint.port(), info.path("target").asText());
    assertEquals("http://127.0.0.1:" + endpoint.port(), info.path("origin").asText());
    assertEquals("connected", info.path("state").asText());
    assertTrue(info.path("bitrate").asLong() > 50_000, info.toString());
    assertEquals(0, info.path("reconnects").asInt());
    assertFalse(info.has("lastError"), info.toString());
    assertFalse(info.toString().contains(TOKEN));
    assertFalse(info.toString().contains("/whip/"), "the target's path is never shown: " + info);

    String metrics = scrape();
    assertTrue(metrics.contains("gateway_publication_state{state=\"connected\",stream=\"pattern\",target=\"127.0.0.1:"
        + endpoint.port() + "\"} 1.0"), metrics);

    gateway.close();
    gateway = null;
    assertEquals(1, endpoint.requests("DELETE").size(), "DELETE on shutdown");
    assertEquals("Bearer " + TOKEN, endpoint.requests("DELETE").get(0).header("Authorization"));
    assertEquals(0, endpoint.resources(), "no publisher left at the endpoint");
    assertNoTokenLogged();
  }

  @Test
  void aRefusalIsReportedAndRetriedSlowly() throws Exception {
    endpoint.failNext("POST", 403, 1, null);
    start(target());
    Await.until("the refusal to be reported", () -> publication().state() == Publication.State.RETRYING, WAIT);
    JsonNode info = api().get(0);
    assertEquals("retrying", info.path("state").asText());
    String error = info.path("lastError").asText();
    assertTrue(error.contains("403") && error.contains("refused by the test"), error);
    assertFalse(error.contains(TOKEN) || error.contains("/whip/"), error);
    assertTrue(info.path("nextAttemptSeconds").asDouble() > 1.5, info.toString());
    assertEquals(1, publication().failures(Failure.REFUSED));

    endpoint.awaitFrames(30, WAIT);
    List<WhipEndpoint.Request> posts = endpoint.requests("POST");
    assertEquals(2, posts.size());
    assertEquals(posts.get(0).body(), posts.get(1).body(), "the same offer again: no new negotiation");
    assertNoTokenLogged();
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    endpoint.failNext("POST", 503, 1, "2");
    start(target());
    endpoint.awaitFrames(30, WAIT);
    assertEquals(1, publication().failures(Failure.SERVER_ERROR));
    assertEquals(2, endpoint.requests("POST").size());
    // Without Retry-After the next attempt would come after 250 ms.
    List<WhipEndpoint.Request> posts = endpoint.requests("POST");
    long gap = posts.get(1).receivedMillis() - posts.get(0).receivedMillis();
    assertTrue(gap >= 1900, "the second POST came " + gap + " ms after the 503");
  }

  @Test
  void anEndpointThatLosesItsMediaGetsTheStreamAgain() throws Exception {
    start(target());
    endpoint.awaitFrames(30, WAIT);
    endpoint.loseMedia();
    long lostAt = System.currentTimeMillis();
    int before = endpoint.frameCount();
    Await.until("a second publication", () -> publication().reconnects() == 1, WAIT);
    endpoint.awaitFrames(before + 30, WAIT);
    assertEquals(1, endpoint.resources());
    assertEquals(1, publication().iceRestarts(), "an ICE restart by PATCH first");
    WhipEndpoint.Request restart = endpoint.requests("PATCH").stream()
        .filter(request -> "*".equals(request.header("If-Match"))).findFirst().orElseThrow();
    assertEquals("application/trickle-ice-sdpfrag", restart.header("Content-Type"));
    assertTrue(restart.body().contains("a=ice-ufrag:") && restart.body().contains("a=ice-pwd:"), restart.body());
    assertNotNull(publication().status().lastError());
    ReceivedFrame back = endpoint.frames().get(before);
    assertTrue(back.stamp().timeMillis() > lostAt, "a picture from after the loss");
    assertInOrder(endpoint.frames().subList(before, endpoint.frameCount()));
  }

  @Test
  void anEndpointThatWasAwayIsPublishedToWithinMomentsOfItsReturn() throws Exception {
    start(target());
    endpoint.awaitFrames(30, WAIT);
    int port = endpoint.port();
    endpoint.close();
    Await.until("the endpoint to be missed", () -> publication().state() == Publication.State.RETRYING, WAIT);
    Await.until("attempts against the closed port",
        () -> publication().failures(Failure.UNREACHABLE) >= 3, WAIT);
    String error = publication().status().lastError();
    assertTrue(error.contains("cannot connect") || error.contains("no answer"), error);

    endpoint = WhipEndpoint.start(peers.factory(), port);
    endpoint.requireToken(TOKEN);
    long back = System.nanoTime();
    endpoint.awaitFrames(1, WAIT);
    long millis = (System.nanoTime() - back) / 1_000_000;
    assertTrue(millis < 4000, "frames again " + millis + " ms after the endpoint came back");
    assertEquals(1, publication().reconnects());
  }

  @Test
  void encodesWithItsOwnSizeRateAndBitrateWhileViewersKeepTheFullPicture() throws Exception {
    PublishConfig small = new PublishConfig(null, endpoint.url("small"), TOKEN, 180, 10.0, 300);
    start(small);
    try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "pattern")) {
      endpoint.awaitFrames(20, WAIT);
      viewer.awaitFrames(20, WAIT);
      int before = endpoint.frameCount();
      int viewerBefore = viewer.frameCount();
      long from = System.nanoTime();
      Await.until("three seconds of frames", () -> System.nanoTime() - from > 3_000_000_000L, WAIT);
      double seconds = (System.nanoTime() - from) / 1e9;
      double fps = (endpoint.frameCount() - before) / seconds;
      double viewerFps = (viewer.frameCount() - viewerBefore) / seconds;
      ReceivedFrame last = endpoint.frames().get(endpoint.frameCount() - 1);
      assertEquals(320, last.width());
      assertEquals(180, last.height());
      assertTrue(fps > 8 && fps < 12, "publication fps " + fps);
      assertInOrder(endpoint.frames().subList(before, endpoint.frameCount()));
      assertTrue(viewerFps > 25, "the viewer's fps " + viewerFps + " beside a 10 fps publication");
      assertEquals(640, viewer.lastFrame().width());
      Await.until("a target bitrate", () -> publication().status().targetBitrate() > 0, WAIT);
      assertTrue(publication().status().targetBitrate() <= 300_000, publication().status().toString());
    }
  }

  @Test
  void theEndpointsTurnServersFromOptionsAreUsedForTheOffer() throws Exception {
    try (Coturn coturn = Coturn.start(TURN_SECRET, dir)) {
      endpoint.links(List.of(link(coturn, "sfu-gave-options")), true);
      endpoint.iceServers(List.of(ownTurn(coturn)), true);
      start(target());
      endpoint.awaitFrames(30, WAIT);
      String offer = endpoint.requests("POST").get(0).body();
      assertTrue(offer.contains(" typ relay "), "the offer carries a relayed candidate: " + offer);
      Await.until("coturn to log the Link's user", () -> coturn.log().contains(":sfu-gave-options"), WAIT);
    }
  }

  @Test
  void theEndpointsTurnServersFromItsAnswerServeTheNextConnection() throws Exception {
    try (Coturn coturn = Coturn.start(TURN_SECRET, dir)) {
      endpoint.links(List.of(link(coturn, "sfu-gave-201")), false);
      endpoint.iceServers(List.of(ownTurn(coturn)), true);
      start(target());
      endpoint.awaitFrames(30, WAIT);
      assertFalse(endpoint.requests("POST").get(0).body().contains(" typ relay "), "no TURN server known yet");
      endpoint.loseMedia();
      Await.until("a second publication", () -> publication().reconnects() == 1, WAIT);
      String offer = endpoint.requests("POST").get(1).body();
      assertTrue(offer.contains(" typ relay "), "the second offer carries a relayed candidate: " + offer);
      assertTrue(coturn.log().contains(":sfu-gave-201"), "coturn saw the 201's user");
    }
  }

  /** A Link header naming coturn with credentials the endpoint minted for the publisher. */
  private static String link(Coturn coturn, String user) {
    IceServer minted = new TurnCredentials(TurnConfig.of(List.of("turn:127.0.0.1:" + coturn.port() + "?transport=udp"),
        TURN_SECRET, 600L), Clock.systemUTC()).mint(user);
    return "<" + minted.urls().get(0) + ">; rel=\"ice-server\"; username=\"" + minted.username()
        + "\"; credential=\"" + minted.credential() + "\"; credential-type=\"password\"";
  }

  /** The endpoint's own TURN entry: it takes only relayed candidates, under a user of its own. */
  private static RTCIceServer ownTurn(Coturn coturn) {
    IceServer minted = new TurnCredentials(TurnConfig.of(List.of("turn:127.0.0.1:" + coturn.port() + "?transport=udp"),
        TURN_SECRET, 600L), Clock.systemUTC()).mint("sfu-itself");
    RTCIceServer server = new RTCIceServer();
    server.urls = minted.urls();
    server.username = minted.username();
    server.password = minted.credential();
    return server;
  }

  private static void assertInOrder(List<ReceivedFrame> frames) {
    int previous = -1;
    for (ReceivedFrame frame : frames) {
      int number = frame.stamp().frameNumber();
      if (previous >= 0) {
        int step = (number - previous) & 0xFFFF;
        assertTrue(step >= 1 && step < 30, "frame " + number + " after " + previous);
      }
      previous = number;
    }
  }

  private JsonNode api() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.port() + "/api/publications"))
        .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private String scrape() throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/metrics"))
        .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void assertNoTokenLogged() {
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertTrue(lines.stream().anyMatch(line -> line.contains("publication")), "the appender saw the publication");
    for (String line : lines) {
      assertFalse(line.contains(TOKEN), "a log line holds the token: " + line);
      assertFalse(line.contains("/whip/endpoint"), "a log line holds the target's path: " + line);
    }
  }
}
