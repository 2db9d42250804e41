package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.config.IceServer;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer.ReceivedFrame;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import io.webrtcgw.testing.WhepClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WHEP spoken by a plain HTTP client and a real webrtc-java peer: every method and status. */
class WhepProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ORIGIN = "http://player.example";

  private static Gateway gateway;
  private static ViewerPeers peers;

  @BeforeAll
  static void start() throws Exception {
    // A short grace and connect deadline so that sessions whose player vanished end quickly.
    Limits limits = new Limits(100, 64 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(1));
    gateway = TestGateway.start(limits,
        StreamConfig.of("pattern", "pattern:640x360@30"),
        new StreamConfig("solo", "pattern:320x180@15", false, 1));
    peers = new ViewerPeers();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    peers.close();
  }

  @AfterEach
  void nothingLeft() {
    Await.until(() -> "no sessions left, have " + gateway.sessions().count(),
        () -> gateway.sessions().count() == 0, WAIT);
    for (String stream : List.of("pattern", "solo")) {
      assertEquals(0, gateway.streams().find(stream).orElseThrow().viewers(), "viewer slots of " + stream);
    }
  }

  @Test
  void createPlaysTrickleAndDeleteEndsTheSession() throws Exception {
    try (WhepClient client = WhepClient.create(peers.factory(), gateway.port(), "pattern")) {
      HttpResponse<String> created = client.watch();

      assertEquals(201, created.statusCode(), created.body());
      assertEquals("application/sdp", created.headers().firstValue("Content-Type").orElse(""));
      String location = created.headers().firstValue("Location").orElseThrow();
      assertTrue(location.matches("/whep/pattern/[0-9a-f]+"), location);
      assertTrue(created.headers().firstValue("ETag").orElseThrow().matches("\"[^\"]+\""));
      assertEquals("application/trickle-ice-sdpfrag", created.headers().firstValue("Accept-Patch").orElse(""));
      String answer = created.body();
      assertTrue(answer.contains("a=sendonly"), answer);
      assertFalse(WhepClient.candidatePorts(answer).isEmpty(), "the answer must carry the gateway's candidates:\n" + answer);
      assertTrue(answer.contains("a=end-of-candidates"), answer);

      client.awaitConnected(WAIT);
      client.awaitFrames(30, WAIT);
      ReceivedFrame frame = client.frames().get(client.frames().size() - 1);
      assertEquals(640, frame.width());
      assertEquals(360, frame.height());
      long latency = frame.receivedMillis() - frame.stamp().timeMillis();
      assertTrue(latency >= 0 && latency < 2000, "stamp latency " + latency + " ms");
      Await.until(() -> "trickle PATCHes answered, have " + client.trickleStatuses(),
          () -> !client.trickleStatuses().isEmpty(), WAIT);
      assertTrue(client.trickleStatuses().stream().allMatch(status -> status == 204), client.trickleStatuses().toString());
      assertEquals(1, gateway.sessions().count());

      HttpResponse<String> deleted = client.delete();
      assertEquals(200, deleted.statusCode());
      assertEquals(0, gateway.sessions().count(), "DELETE answers once the session is gone");
      assertEquals(404, client.delete().statusCode());
      assertEquals(404, client.patch(candidateFragment(), null).statusCode());
    }
  }

  @Test
  void iceRestartMovesToNewCandidatesAndFramesKeepComing() throws Exception {
    try (WhepClient client = WhepClient.create(peers.factory(), gateway.port(), "pattern")) {
      HttpResponse<String> created = client.watch();
      assertEquals(201, created.statusCode(), created.body());
      client.awaitConnected(WAIT);
      client.awaitFrames(10, WAIT);
      String firstTag = client.etag();
      List<Integer> firstPorts = WhepClient.candidatePorts(created.body());
      assertTrue(firstPorts.contains(client.selectedRemotePort()));

      HttpResponse<String> restarted = client.restartIce();

      assertEquals(200, restarted.statusCode(), restarted.body());
      assertEquals("application/trickle-ice-sdpfrag", restarted.headers().firstValue("Content-Type").orElse(""));
      String newTag = restarted.headers().firstValue("ETag").orElseThrow();
      assertNotEquals(firstTag, newTag);
      String fragment = restarted.body();
      assertNotEquals(value(created.body(), "a=ice-ufrag:(\\S+)"), value(fragment, "a=ice-ufrag:(\\S+)"));
      assertTrue(fragment.contains("a=ice-pwd:"), fragment);
      List<Integer> newPorts = WhepClient.candidatePorts(fragment);
      assertFalse(newPorts.isEmpty(), fragment);
      // The restarted ICE session really carries the media: the selected pair moves to a candidate
      // of the new generation, and frames keep arriving.
      Await.until(() -> "ICE to select one of the new candidates " + newPorts + " (old " + firstPorts + ")",
          () -> newPorts.contains(selectedPort(client)), WAIT);
      int before = client.frameCount();
      client.awaitFrames(before + 30, WAIT);
      Await.until("the new generation's candidates trickled",
          () -> client.trickleStatuses().size() >= 2, WAIT);
      assertTrue(client.trickleStatuses().stream().allMatch(status -> status == 204), client.trickleStatuses().toString());

      assertEquals(412, client.patch(candidateFragment(), firstTag).statusCode(), "the old ICE session's tag is stale");
      assertEquals(204, client.patch(candidateFragment(), newTag).statusCode());
      client.delete();
    }
  }

  @Test
  void restartPreconditions() throws Exception {
    try (WhepClient client = WhepClient.create(peers.factory(), gateway.port(), "pattern")) {
      assertEquals(201, client.watch().statusCode());
      String restart = "a=ice-ufrag:fresh\r\na=ice-pwd:0123456789abcdefghijklmn\r\n";

      HttpResponse<String> required = client.patch(restart, null);
      assertEquals(428, required.statusCode());
      assertEquals("text/plain; charset=utf-8", required.headers().firstValue("Content-Type").orElse(""));
      assertTrue(required.body().contains("If-Match"), required.body());
      assertEquals(412, client.patch(restart, "\"not-the-tag\"").statusCode());
      assertEquals(412, client.patch(candidateFragment(), "\"not-the-tag\"").statusCode());
      assertEquals(204, client.patch(candidateFragment(), client.etag()).statusCode());
      assertEquals(204, client.patch(candidateFragment(), null).statusCode(), "trickle without If-Match is accepted");
      client.delete();
    }
  }

  @Test
  void badRequestsGetTheirStatus() throws Exception {
    URI endpoint = WhepClient.endpoint(gateway.port(), "pattern");

    HttpResponse<String> wrongType = post(endpoint, "text/plain", "v=0\r\n");
    assertEquals(415, wrongType.statusCode());
    assertEquals("application/sdp", wrongType.headers().firstValue("Accept-Post").orElse(""));
    assertEquals(415, send(HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofString("v=0"))).statusCode());

    HttpResponse<String> notSdp = post(endpoint, "application/sdp", "hello");
    assertEquals(400, notSdp.statusCode());
    assertTrue(notSdp.body().contains("v=0"), notSdp.body());
    assertTrue(notSdp.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));

    HttpResponse<String> noVideo = post(endpoint, "application/sdp",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    assertEquals(400, noVideo.statusCode());
    assertTrue(noVideo.body().contains("video"), noVideo.body());

    // Passes the gateway's own checks, but libwebrtc refuses it: the session opened for it ends.
    HttpResponse<String> refused = post(endpoint, "application/sdp",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
            + "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n");
    assertEquals(400, refused.statusCode(), refused.body());
    assertFalse(refused.body().isBlank());

    assertEquals(404, post(WhepClient.endpoint(gateway.port(), "nosuch"), "application/sdp", "v=0\r\n").statusCode());

    URI unknownSession = URI.create(endpoint + "/0123456789ab");
    assertEquals(404, send(HttpRequest.newBuilder(unknownSession).DELETE()).statusCode());
    assertEquals(404, send(HttpRequest.newBuilder(unknownSession)
        .header("Content-Type", "application/trickle-ice-sdpfrag")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(candidateFragment()))).statusCode());

    HttpResponse<String> large = post(endpoint, "application/sdp", "v=0\r\n" + "a=x\r\n".repeat(20_000));
    assertEquals(413, large.statusCode());
  }

  @Test
  void badPatchesGetTheirStatus() throws Exception {
    try (WhepClient client = WhepClient.create(peers.factory(), gateway.port(), "pattern")) {
      assertEquals(201, client.watch().statusCode());
      URI resource = client.resource();

      assertEquals(415, send(HttpRequest.newBuilder(resource)
          .header("Content-Type", "application/sdp")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(candidateFragment()))).statusCode());
      HttpResponse<String> garbage = client.patch("this is not SDP", null);
      assertEquals(400, garbage.statusCode());
      assertTrue(garbage.body().contains("not an SDP line"), garbage.body());
      assertEquals(400, client.patch("a=candidate:1 1 udp\r\n", null).statusCode());
      URI otherStream = URI.create(resource.toString().replace("/whep/pattern/", "/whep/solo/"));
      assertEquals(404, send(HttpRequest.newBuilder(otherStream).DELETE()).statusCode());
      assertEquals(200, client.delete().statusCode());
    }
  }

  @Test
  void fullStreamAnswers503WithRetryAfter() throws Exception {
    try (WhepClient first = WhepClient.create(peers.factory(), gateway.port(), "solo");
        WhepClient second = WhepClient.create(peers.factory(), gateway.port(), "solo")) {
      assertEquals(201, first.watch().statusCode());

      HttpResponse<String> busy = second.watch();

      assertEquals(503, busy.statusCode());
      assertEquals("10", busy.headers().firstValue("Retry-After").orElse(""));
      assertTrue(busy.body().contains("maximum"), busy.body());
      assertEquals(1, gateway.sessions().count());
      first.delete();
    }
  }

  @Test
  void corsPreflightAndHeaders() throws Exception {
    URI endpoint = WhepClient.endpoint(gateway.port(), "pattern");
    HttpResponse<String> preflight = send(HttpRequest.newBuilder(endpoint)
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, authorization")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

    assertEquals(204, preflight.statusCode());
    assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals("application/sdp", preflight.headers().firstValue("Accept-Post").orElse(""));
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
    String allowed = preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("");
    for (String header : List.of("Content-Type", "Authorization", "If-Match")) {
      assertTrue(allowed.contains(header), allowed);
    }
    String exposed = preflight.headers().firstValue("Access-Control-Expose-Headers").orElse("");
    for (String header : List.of("Location", "ETag", "Link", "Accept-Patch")) {
      assertTrue(exposed.contains(header), exposed);
    }

    HttpResponse<String> resource = send(HttpRequest.newBuilder(URI.create(endpoint + "/0123456789ab"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "PATCH")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(204, resource.statusCode());
    String methods = resource.headers().firstValue("Access-Control-Allow-Methods").orElse("");
    assertTrue(methods.contains("PATCH") && methods.contains("DELETE"), methods);
    assertEquals("application/trickle-ice-sdpfrag", resource.headers().firstValue("Accept-Patch").orElse(""));

    HttpResponse<String> error = send(HttpRequest.newBuilder(WhepClient.endpoint(gateway.port(), "nosuch"))
        .header("Origin", ORIGIN)
        .header("Content-Type", "application/sdp")
        .POST(HttpRequest.BodyPublishers.ofString("v=0\r\n")));
    assertEquals(404, error.statusCode());
    assertEquals(ORIGIN, error.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
        "a page must be able to read why it was refused");
  }

  @Test
  void sessionWhosePlayerVanishedIsGone() throws Exception {
    WhepClient client = WhepClient.create(peers.factory(), gateway.port(), "pattern");
    URI resource;
    try {
      assertEquals(201, client.watch().statusCode());
      client.awaitConnected(WAIT);
      resource = client.resource();
    } finally {
      client.close(); // no DELETE: ICE goes quiet and the grace period runs out
    }
    Await.until("the session to end after ICE went quiet", () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(404, send(HttpRequest.newBuilder(resource).DELETE()).statusCode());
  }

  @Test
  void sessionThatNeverConnectsEnds() throws Exception {
    // A real offer, but nobody applies the answer: nothing will ever connect.
    HttpResponse<String> created = post(WhepClient.endpoint(gateway.port(), "pattern"), "application/sdp", WhepClient.recvonlyOffer());
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(1, gateway.sessions().count());
    Await.until("the unconnected session to end at the connect deadline",
        () -> gateway.sessions().count() == 0, WAIT);
    URI resource = WhepClient.endpoint(gateway.port(), "pattern")
        .resolve(created.headers().firstValue("Location").orElseThrow());
    assertEquals(404, send(HttpRequest.newBuilder(resource).DELETE()).statusCode());
  }

  @Test
  void iceServersComeAsLinkHeaders() throws Exception {
    GatewayConfig config = GatewayConfig.fromJson("127.0.0.1", 0, List.of(StreamConfig.of("pattern", "pattern:")),
        List.of(new IceServer(List.of("stun:127.0.0.1:3478"), null, null),
            new IceServer(List.of("turn:127.0.0.1:3478?transport=udp"), "user", "pa\"ss")),
        Limits.DEFAULT);
    try (Gateway withIce = Gateway.start(config, Clock.systemUTC());
        WhepClient client = WhepClient.create(peers.factory(), withIce.port(), "pattern")) {
      HttpResponse<String> created = client.watch();
      assertEquals(201, created.statusCode(), created.body());
      List<String> links = created.headers().allValues("Link");
      assertTrue(links.contains("<stun:127.0.0.1:3478>; rel=\"ice-server\""), links.toString());
      assertTrue(links.contains("<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"user\"; "
          + "credential=\"pa\\\"ss\"; credential-type=\"password\""), links.toString());
      client.delete();
    }
  }

  private static int selectedPort(WhepClient client) {
    try {
      return client.selectedRemotePort();
    } catch (Exception | AssertionError e) {
      return -1;
    }
  }

  private static String candidateFragment() {
    return "m=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
        + "a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host\r\n";
  }

  private static String value(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertTrue(matcher.find(), regex + " in " + text);
    return matcher.group(1);
  }

  private static HttpResponse<String> post(URI uri, String contentType, String body) throws Exception {
    return send(HttpRequest.newBuilder(uri)
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return WhepClient.HTTP.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }
}
