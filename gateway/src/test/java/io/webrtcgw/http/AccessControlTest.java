package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.AuthConfig;
import io.webrtcgw.config.GatewayConfig;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.signaling.websocket.CloseCodes;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.LoopbackViewer;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.ViewerPeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Tokens and origins, accepted and refused, over WebSocket and HTTP; no token reaches a log line. */
class AccessControlTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String LOBBY_TOKEN = "lobby-token-7f3a";
  private static final String BACKSTAGE_TOKEN = "backstage-token-91c2";
  private static final String ADMIN_TOKEN = "admin-token-5d6e";
  private static final String WRONG_TOKEN = "wrong-token-0000";
  private static final String ALLOWED_ORIGIN = "https://allowed.example";

  private static Gateway gateway;
  private static ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void start() throws Exception {
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    GatewayConfig config = TestGateway.config(Limits.DEFAULT,
            StreamConfig.of("public", "pattern:320x180@15"),
            new StreamConfig("lobby", "pattern:320x180@15", false, 0, List.of(LOBBY_TOKEN)),
            new StreamConfig("backstage", "pattern:320x180@15", false, 0, List.of(BACKSTAGE_TOKEN)))
        .withAuth(AuthConfig.of(List.of(), ADMIN_TOKEN))
        .withAllowedOrigins(List.of(ALLOWED_ORIGIN));
    gateway = TestGateway.start(config);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : logs.list) {
      lines.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage()));
    }
    assertTrue(lines.size() >= 2, "the appender saw the gateway's log: " + lines);
    for (String line : lines) {
      for (String token : List.of(LOBBY_TOKEN, BACKSTAGE_TOKEN, ADMIN_TOKEN, WRONG_TOKEN)) {
        assertFalse(line.contains(token), "a token reached the log: " + line);
      }
    }
  }

  private static int closeCode(String stream, String token) throws Exception {
    try (SignalingClient client = SignalingClient.connectWithToken(gateway.port(), stream, token)) {
      JsonNode error = client.next(WAIT);
      int code = client.awaitClose(WAIT);
      assertEquals("error", error.path("type").asText(), "first message: " + error);
      return code;
    }
  }

  @Test
  void webSocketWithoutOrWithAWrongTokenIsClosedWith4401() throws Exception {
    assertEquals(CloseCodes.UNAUTHORIZED, closeCode("lobby", null));
    assertEquals(CloseCodes.UNAUTHORIZED, closeCode("lobby", WRONG_TOKEN));
    assertEquals(CloseCodes.FORBIDDEN, closeCode("lobby", BACKSTAGE_TOKEN));
    assertEquals(0, gateway.sessions().count());
  }

  @Test
  void webSocketWithTheRightTokenGetsHello() throws Exception {
    for (String token : List.of(LOBBY_TOKEN, ADMIN_TOKEN)) {
      try (SignalingClient client = SignalingClient.connectWithToken(gateway.port(), "lobby", token)) {
        assertEquals("lobby", client.expect("hello", WAIT).path("stream").asText());
      }
    }
    try (SignalingClient client = SignalingClient.connectWithToken(gateway.port(), "public", null)) {
      client.expect("hello", WAIT);
    }
  }

  @Test
  void disallowedOriginGets403AndNoSession() throws Exception {
    String url = "ws://127.0.0.1:" + gateway.port() + "/ws/public";
    WebSocketHandshakeException refused = assertThrows(WebSocketHandshakeException.class, () ->
        SignalingClient.connect(HTTP.newWebSocketBuilder().header("Origin", "https://evil.example"), URI.create(url)));
    assertEquals(403, refused.getResponse().statusCode());
    assertEquals(0, gateway.sessions().count());

    for (String origin : List.of(ALLOWED_ORIGIN, "http://127.0.0.1:" + gateway.port())) {
      try (SignalingClient client = SignalingClient.connect(HTTP.newWebSocketBuilder().header("Origin", origin),
          URI.create(url))) {
        client.expect("hello", WAIT);
      }
    }
  }

  @Test
  void pagesAndSnapshotsNeedTheStreamsToken() throws Exception {
    assertEquals(401, get("/view/lobby").statusCode());
    assertEquals(401, get("/embed/lobby?token=" + WRONG_TOKEN).statusCode());
    assertEquals(403, get("/embed/lobby?token=" + BACKSTAGE_TOKEN).statusCode());
    assertEquals(200, get("/embed/lobby?token=" + LOBBY_TOKEN).statusCode());
    assertEquals(200, get("/view/public").statusCode());
    HttpResponse<String> snapshot = get("/snapshot/lobby.jpg");
    assertEquals(401, snapshot.statusCode());
    assertEquals("Bearer", snapshot.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals("unauthorized", JSON.readTree(snapshot.body()).path("error").asText());
  }

  @Test
  void streamListShowsWhatTheTokenOpens() throws Exception {
    assertEquals(List.of("public"), names(get("/api/streams")));
    assertEquals(List.of("public", "lobby"), names(get("/api/streams?token=" + LOBBY_TOKEN)));
    assertEquals(List.of("public", "lobby", "backstage"), names(get("/api/streams?token=" + ADMIN_TOKEN)));
  }

  @Test
  void operatorEndpointsNeedTheAdminToken() throws Exception {
    assertEquals(401, get("/api/sessions").statusCode());
    assertEquals(401, get("/api/sessions?token=" + LOBBY_TOKEN).statusCode());
    assertEquals(401, get("/metrics").statusCode());
    HttpResponse<String> sessions = get("/api/sessions?token=" + ADMIN_TOKEN);
    assertEquals(200, sessions.statusCode());
    assertTrue(JSON.readTree(sessions.body()).isArray());
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(uri("/metrics"))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("gateway_viewers"), metrics.body());
  }

  @Test
  void aSessionOpenedWithATokenLogsItsStartAndEndButNotTheToken() throws Exception {
    try (ViewerPeers peers = new ViewerPeers()) {
      // The stream name carries the query: LoopbackViewer appends it to /ws/ as it is.
      try (LoopbackViewer viewer = LoopbackViewer.watch(peers.factory(), gateway.port(), "lobby?token=" + LOBBY_TOKEN)) {
        viewer.awaitFrames(3, WAIT);
      }
      Await.until("the session ends", () -> gateway.sessions().count() == 0, WAIT);
    }
    List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertTrue(lines.stream().anyMatch(l -> l.matches("session \\w+ started: stream=lobby peer=.*")), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.matches(
        "session \\w+ ended: stream=lobby peer=.* reason=viewer-left duration=\\d+ms")), lines.toString());
  }

  @Test
  void refusedSocketsLeaveNothingBehind() throws Exception {
    for (int i = 0; i < 5; i++) {
      closeCode("backstage", null);
    }
    Await.until("no sessions", () -> gateway.sessions().count() == 0, WAIT);
    assertEquals(0, gateway.streams().find("backstage").orElseThrow().viewers());
  }

  private static List<String> names(HttpResponse<String> response) throws Exception {
    assertEquals(200, response.statusCode());
    List<String> out = new ArrayList<>();
    JSON.readTree(response.body()).forEach(s -> out.add(s.path("name").asText()));
    return out;
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
