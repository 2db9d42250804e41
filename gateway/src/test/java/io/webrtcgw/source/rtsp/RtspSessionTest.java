package io.webrtcgw.source.rtsp;

import static io.webrtcgw.source.rtsp.ScriptedServer.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RTSP conversation against scripted answers: authentication, redirects, refusals and a server
 * that never answers, each ending in a one-line reason without the password.
 */
class RtspSessionTest {
  private static final RtspSession.Timeouts QUICK = new RtspSession.Timeouts(Duration.ofSeconds(2), Duration.ofMillis(700));
  private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\na=control:*\r\n"
      + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:stream=0\r\n";

  private static RtspSession describe(String url) throws RtspException {
    return RtspSession.describe(RtspUrl.parse(url), QUICK, closeable -> {});
  }

  private static String md5(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A Digest camera that accepts only {@code user}/{@code password}, checked the RFC 2617 way. */
  private static String digestCamera(ScriptedServer.Request request, String password) {
    String authorization = request.header("Authorization");
    String challenge = "WWW-Authenticate: Digest realm=\"cam\", nonce=\"n0nce\"";
    if (authorization == null || !authorization.startsWith("Digest ")) {
      return response("401 Unauthorized", null, challenge);
    }
    try {
      String expected = md5(md5("admin:cam:" + password) + ":n0nce:" + md5(request.method() + ":" + request.uri()));
      if (!authorization.contains("response=\"" + expected + "\"") || !authorization.contains("uri=\"" + request.uri() + "\"")) {
        return response("401 Unauthorized", null, challenge);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return switch (request.method()) {
      case "OPTIONS" -> response("200 OK", null, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER");
      case "DESCRIBE" -> response("200 OK", SDP, "Content-Type: application/sdp",
          "Content-Base: " + request.uri() + "/");
      case "SETUP" -> response("200 OK", null, "Session: abc123;timeout=30",
          "Transport: RTP/AVP/TCP;unicast;interleaved=4-5");
      default -> response("200 OK", null);
    };
  }

  @Test
  void digestLoginWithAPasswordFullOfSpecialCharacters() throws Exception {
    String password = "p@ss:w0rd/é";
    try (ScriptedServer server = new ScriptedServer(request -> digestCamera(request, password))) {
      String url = "rtsp://admin:p@ss:w0rd%2F%C3%A9@127.0.0.1:" + server.port() + "/cam";
      try (RtspSession session = describe(url)) {
        assertEquals("rtsp://127.0.0.1:" + server.port() + "/cam/stream=0", session.media().control().request());
        assertTrue(session.keepsAliveWithGetParameter());
        RtspSession.Transport transport = session.setup(null);
        assertEquals(4, transport.rtpChannel(), "the channels the server chose");
        assertEquals(Duration.ofSeconds(30), session.sessionTimeout());
        assertEquals("abc123", session.connection().session());
        session.keepAlive();
        Await.until("the keep-alive", () -> server.requests().size() == 5, Duration.ofSeconds(5));
      }
      List<ScriptedServer.Request> requests = server.requests();
      assertEquals(List.of("OPTIONS", "OPTIONS", "DESCRIBE", "SETUP", "GET_PARAMETER"),
          requests.stream().map(r -> r.method()).toList(), "one 401, then the login on every request");
      assertNull(requests.get(0).header("Authorization"));
      ScriptedServer.Request keepAlive = requests.get(4);
      assertEquals("abc123", keepAlive.header("Session"));
      assertTrue(keepAlive.header("Authorization").startsWith("Digest "), "keep-alives carry the login too");
      assertEquals("rtsp://127.0.0.1:" + server.port() + "/cam/", keepAlive.uri(), "to the aggregate URL");
      for (ScriptedServer.Request request : requests) {
        assertFalse(String.valueOf(request.header("Authorization")).contains("w0rd"), "Digest never sends the password");
      }
    }
  }

  @Test
  void aWrongPasswordFailsOnceWithoutAStormAndWithoutThePassword() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> digestCamera(request, "right"))) {
      RtspException e = assertThrows(RtspException.class,
          () -> describe("rtsp://admin:wrongpass@127.0.0.1:" + server.port() + "/cam"));
      assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
      assertTrue(e.getMessage().contains("user 'admin'"), e.getMessage());
      assertFalse(e.getMessage().contains("wrongpass"), e.getMessage());
      assertEquals(RtspException.Retry.SLOWLY, e.retry());
      assertEquals(2, server.requests().size(), "asked once, answered once with the login, then gave up");
    }
  }

  @Test
  void noLoginForACameraThatWantsOne() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> digestCamera(request, "right"))) {
      RtspException e = assertThrows(RtspException.class, () -> describe(server.url("/cam")));
      assertTrue(e.getMessage().contains("none is configured"), e.getMessage());
    }
  }

  @Test
  void basicLogin() throws Exception {
    String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("u:p w".getBytes(StandardCharsets.UTF_8));
    try (ScriptedServer server = new ScriptedServer(request -> expected.equals(request.header("Authorization"))
        ? (request.method().equals("DESCRIBE") ? response("200 OK", SDP, "Content-Type: application/sdp")
            : response("200 OK", null))
        : response("401 Unauthorized", null, "WWW-Authenticate: Basic realm=\"cam\""))) {
      try (RtspSession session = describe("rtsp://u:p%20w@127.0.0.1:" + server.port() + "/cam")) {
        assertNotNull(session.media());
        assertFalse(session.keepsAliveWithGetParameter(), "no Public header: keep-alives use OPTIONS");
      }
    }
  }

  @Test
  void followsARedirectToAnotherServer() throws Exception {
    try (ScriptedServer target = new ScriptedServer(request -> request.method().equals("DESCRIBE")
        ? response("200 OK", SDP, "Content-Type: application/sdp") : response("200 OK", null));
        ScriptedServer first = new ScriptedServer(request -> request.method().equals("DESCRIBE")
            ? response("302 Moved Temporarily", null, "Location: " + target.url("/moved")) : response("200 OK", null))) {
      try (RtspSession session = describe(first.url("/cam"))) {
        assertEquals("rtsp://127.0.0.1:" + target.port() + "/moved/stream=0", session.media().control().request());
      }
    }
  }

  @Test
  void endlessRedirectsEnd() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request ->
        response("301 Moved Permanently", null, "Location: /loop"))) {
      RtspException e = assertThrows(RtspException.class, () -> describe(server.url("/cam")));
      assertTrue(e.getMessage().contains("redirects more than"), e.getMessage());
    }
  }

  @Test
  void aMissingStreamIsNamed() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> request.method().equals("DESCRIBE")
        ? response("404 Not Found", null) : response("501 Not Implemented", null))) {
      RtspException e = assertThrows(RtspException.class, () -> describe(server.url("/nothing")));
      assertTrue(e.getMessage().contains("no stream at /nothing (404 Not Found)"), e.getMessage());
      assertEquals(RtspException.Retry.SOON, e.retry());
    }
  }

  @Test
  void aServerThatAcceptsAndNeverAnswersFailsInBoundedTime() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      RtspException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
          () -> assertThrows(RtspException.class, () -> describe("rtsp://127.0.0.1:" + silent.getLocalPort() + "/cam")));
      assertTrue(e.getMessage().contains("accepted the connection but did not answer OPTIONS in time"), e.getMessage());
    }
  }

  @Test
  void nothingListeningIsRefusedAndCutShortOnceReachable() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    int closedPort = port;
    RtspException e = assertThrows(RtspException.class, () -> describe("rtsp://127.0.0.1:" + closedPort + "/cam"));
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    assertEquals(RtspException.Retry.ONCE_REACHABLE, e.retry());
  }

  @Test
  void setupOverTcpRefusedSaysSo() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> switch (request.method()) {
      case "DESCRIBE" -> response("200 OK", SDP, "Content-Type: application/sdp");
      case "SETUP" -> response("461 Unsupported transport", null);
      default -> response("200 OK", null);
    })) {
      try (RtspSession session = describe(server.url("/cam"))) {
        RtspSession.TransportRefused refused = assertThrows(RtspSession.TransportRefused.class, () -> session.setup(null));
        assertTrue(refused.getMessage().contains("refuses RTP over TCP"), refused.getMessage());
      }
    }
  }

  @Test
  void notSdpAndNoVideoAreRefusedSlowly() throws Exception {
    try (ScriptedServer server = new ScriptedServer(request -> request.method().equals("DESCRIBE")
        ? response("200 OK", "v=0\r\nm=audio 0 RTP/AVP 0\r\n", "Content-Type: application/sdp") : response("200 OK", null))) {
      RtspException e = assertThrows(RtspException.class, () -> describe(server.url("/cam")));
      assertTrue(e.getMessage().contains("no video track (only audio)"), e.getMessage());
      assertEquals(RtspException.Retry.SLOWLY, e.retry());
    }
    try (ScriptedServer server = new ScriptedServer(request -> request.method().equals("DESCRIBE")
        ? response("200 OK", "<html>", "Content-Type: text/html") : response("200 OK", null))) {
      RtspException e = assertThrows(RtspException.class, () -> describe(server.url("/cam")));
      assertTrue(e.getMessage().contains("'text/html' instead of SDP"), e.getMessage());
    }
  }
}
