package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.config.TurnConfig;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.Coturn;
import io.webrtcgw.testing.SignalingClient;
import io.webrtcgw.testing.TestGateway;
import io.webrtcgw.testing.WhepClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NAT traversal through a real coturn with the REST shared secret: Chromium, allowed only relay
 * candidates, plays the stream through the relay with the credentials the gateway minted.
 */
class TurnRelayBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(TurnRelayBrowserTest.class);
  private static final String SECRET = "coturn-test-secret";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;
  private static Coturn coturn;
  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    coturn = Coturn.start(SECRET, dir);
    gateway = TestGateway.start(TestGateway.config(Limits.DEFAULT, StreamConfig.of("pattern", "pattern:640x360@30"))
        .withTurn(TurnConfig.of(List.of("turn:127.0.0.1:" + coturn.port() + "?transport=udp"), SECRET, 600L)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (coturn != null) {
      coturn.close();
    }
  }

  @Test
  void helloCarriesMintedCredentialsAndNeverTheSecret() throws Exception {
    try (SignalingClient client = SignalingClient.connect(gateway.port(), "pattern")) {
      JsonNode hello = client.expect("hello", Duration.ofSeconds(10));
      assertFalse(hello.toString().contains(SECRET), "the secret reached the viewer: " + hello);
      JsonNode turn = hello.path("iceServers").get(0);
      assertEquals("turn:127.0.0.1:" + coturn.port() + "?transport=udp", turn.path("urls").get(0).asText());
      String[] username = turn.path("username").asText().split(":");
      assertEquals(hello.path("session").asText(), username[1]);
      long expiry = Long.parseLong(username[0]);
      long now = System.currentTimeMillis() / 1000;
      assertTrue(expiry > now + 500 && expiry <= now + 601, "expiry " + expiry + " vs now " + now);
    }
  }

  @Test
  void chromiumPlaysThroughTheRelay() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/pattern?relay=1");
      browser.awaitState("playing", WAIT);
      @SuppressWarnings("unchecked")
      Map<String, Object> pair = (Map<String, Object>) browser.asyncScript(
          "const done = arguments[arguments.length - 1];"
              + "window.player.selectedCandidatePair().then(done, (e) => done({ error: String(e) }));");
      log.info("selected candidate pair: {}", pair);
      @SuppressWarnings("unchecked")
      Map<String, Object> local = (Map<String, Object>) pair.get("local");
      assertEquals("relay", local.get("candidateType"), "selected pair: " + pair);

      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 3);
      long presented = ((Number) result.get("presented")).longValue();
      assertTrue(presented >= 75, "rendered " + presented + " frames in 3 s through the relay (25 fps at least)");
      assertEquals(640L, result.get("width"));

      String session = String.valueOf(browser.script("return window.player.stats().session"));
      String turnLog = coturn.log();
      assertTrue(turnLog.contains(":" + session), "coturn saw the session's minted username; its log:\n"
          + turnLog.substring(Math.max(0, turnLog.length() - 4000)));
    }
  }

  /**
   * A WHEP viewer asks for its ICE servers before it offers (OPTIONS), so that with relay only
   * its first gathering already has a TURN server to use.
   */
  @Test
  void chromiumPlaysThroughTheRelayOverWhep() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/pattern?signaling=whep&relay=1");
      browser.awaitState("playing", WAIT);
      @SuppressWarnings("unchecked")
      Map<String, Object> pair = (Map<String, Object>) browser.asyncScript(
          "const done = arguments[arguments.length - 1];"
              + "window.player.selectedCandidatePair().then(done, (e) => done({ error: String(e) }));");
      @SuppressWarnings("unchecked")
      Map<String, Object> local = (Map<String, Object>) pair.get("local");
      assertEquals("relay", local.get("candidateType"), "selected pair: " + pair);
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 3);
      long presented = ((Number) result.get("presented")).longValue();
      assertTrue(presented >= 75, "rendered " + presented + " frames in 3 s through the relay over WHEP");
    }
  }

  /** The 201's Link headers carry the session's own TURN credentials; OPTIONS, credentials of a new viewer's own. */
  @Test
  void whepLinksCarryMintedCredentialsAndNeverTheSecret() throws Exception {
    java.net.http.HttpResponse<String> created = WhepClient.HTTP.send(java.net.http.HttpRequest
        .newBuilder(WhepClient.endpoint(gateway.port(), "pattern")).header("Content-Type", "application/sdp")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(WhepClient.recvonlyOffer())).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    String location = created.headers().firstValue("Location").orElseThrow();
    String session = location.substring(location.lastIndexOf('/') + 1);
    try {
      String link = String.join(", ", created.headers().allValues("Link"));
      assertFalse(link.contains(SECRET), link);
      assertTurnLink(link, session);

      java.net.http.HttpResponse<String> options = WhepClient.HTTP.send(java.net.http.HttpRequest
          .newBuilder(WhepClient.endpoint(gateway.port(), "pattern"))
          .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(204, options.statusCode());
      String early = String.join(", ", options.headers().allValues("Link"));
      assertFalse(early.contains(SECRET), early);
      String earlyId = assertTurnLink(early, null);
      assertFalse(earlyId.equals(session), "a new viewer's own credentials, not another session's");
    } finally {
      WhepClient.HTTP.send(java.net.http.HttpRequest.newBuilder(WhepClient.endpoint(gateway.port(), "pattern")
          .resolve(location)).DELETE().build(), java.net.http.HttpResponse.BodyHandlers.discarding());
    }
  }

  /**
   * Checks the TURN link's credential against coturn's REST scheme, computed here from the secret;
   * returns the id in its username (the session's when {@code session} is given).
   */
  private static String assertTurnLink(String link, String session) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "<turn:127\\.0\\.0\\.1:" + coturn.port() + "\\?transport=udp>; rel=\"ice-server\"; username=\"([^\"]+)\"; "
            + "credential=\"([^\"]+)\"; credential-type=\"password\"").matcher(link);
    assertTrue(m.find(), "a TURN link with credentials: " + link);
    String username = m.group(1);
    String[] parts = username.split(":");
    if (session != null) {
      assertEquals(session, parts[1], "the credentials are the session's own");
    }
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
    mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
    String expected = java.util.Base64.getEncoder().encodeToString(
        mac.doFinal(username.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(expected, m.group(2), "the credential is coturn's HMAC of the username");
    return parts[1];
  }
}
