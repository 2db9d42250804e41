package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.RoutingHandler;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.signaling.whep.WhepSessions;
import io.webrtcgw.security.OriginPolicy;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.WhepClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WHEP endpoint with a token check and an origin list plugged in, as configuration will. */
class WhepHooksTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TOKEN = "let-me-watch";
  private static final String GOOD_ORIGIN = "https://player.example";

  private static Gateway gateway;
  private static ScheduledExecutorService timers;
  private static Undertow server;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:320x180@15"));
    timers = Executors.newSingleThreadScheduledExecutor();
    RoutingHandler routes = Handlers.routing();
    new WhepRoutes(
        new WhepSessions(gateway.streams(), gateway.sessions(), timers, WhepSessions.Timeouts.defaults(WAIT)),
        64 * 1024, (stream, token) -> token.equals(Optional.of(TOKEN)),
        new OriginGate(new OriginPolicy(List.of(GOOD_ORIGIN)), null))
        .addTo(routes);
    server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(routes).build();
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    gateway.close();
    timers.shutdownNow();
  }

  @Test
  void aMissingOrWrongTokenGets401() throws Exception {
    URI endpoint = endpoint();
    for (Optional<String> authorization : List.of(Optional.<String>empty(), Optional.of("Bearer wrong"),
        Optional.of("Basic " + TOKEN))) {
      HttpRequest.Builder request = offer(endpoint);
      authorization.ifPresent(value -> request.header("Authorization", value));
      HttpResponse<String> refused = send(request);
      assertEquals(401, refused.statusCode(), authorization.toString());
      assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(""));
    }
    assertEquals(0, gateway.sessions().count());
  }

  @Test
  void theRightTokenCreatesAndOnlyItDeletes() throws Exception {
    HttpResponse<String> created = send(offer(endpoint()).header("Authorization", "Bearer " + TOKEN));
    assertEquals(201, created.statusCode(), created.body());
    URI resource = endpoint().resolve(created.headers().firstValue("Location").orElseThrow());

    assertEquals(401, send(HttpRequest.newBuilder(resource).DELETE()).statusCode());
    assertEquals(1, gateway.sessions().count());
    assertEquals(200, send(HttpRequest.newBuilder(resource).header("Authorization", "Bearer " + TOKEN).DELETE())
        .statusCode());
    Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
  }

  @Test
  void onlyListedOriginsMayCall() throws Exception {
    HttpResponse<String> foreign = send(offer(endpoint())
        .header("Authorization", "Bearer " + TOKEN)
        .header("Origin", "https://elsewhere.example"));
    assertEquals(403, foreign.statusCode());
    assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

    HttpResponse<String> preflight = send(HttpRequest.newBuilder(endpoint())
        .header("Origin", GOOD_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(204, preflight.statusCode(), "a preflight carries no token and needs none");
    assertEquals(GOOD_ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    assertEquals(403, send(HttpRequest.newBuilder(endpoint())
        .header("Origin", "https://elsewhere.example")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())).statusCode());
    assertEquals(0, gateway.sessions().count());
  }

  private static URI endpoint() {
    return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort()
        + "/whep/pattern");
  }

  private static HttpRequest.Builder offer(URI endpoint) {
    return HttpRequest.newBuilder(endpoint)
        .header("Content-Type", "application/sdp")
        .POST(HttpRequest.BodyPublishers.ofString(WhepClient.recvonlyOffer()));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return WhepClient.HTTP.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
  }
}
