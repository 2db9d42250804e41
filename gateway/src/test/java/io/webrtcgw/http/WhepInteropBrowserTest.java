package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Await;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.NodeModules;
import io.webrtcgw.testing.TestGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WHEP player this project did not write, the npm package whip-whep (medooze's WHEPClient, by an
 * author of WHIP), plays the gateway's stream in headless Chromium from a page of another origin.
 */
class WhepInteropBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(WhepInteropBrowserTest.class);
  private static final Path PLAYER_DIR = NodeModules.projectDirectory("gateway/src/test/whep-interop");
  private static final Path CLIENT = PLAYER_DIR.resolve("node_modules/whip-whep/whep.js");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static Gateway gateway;
  private static HttpServer pages;

  @BeforeAll
  static void start() throws Exception {
    NodeModules.install(PLAYER_DIR, CLIENT);
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"));
    // Another port is another origin, so the player's requests need the gateway's CORS answers.
    pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pages.createContext("/", WhepInteropBrowserTest::servePage);
    pages.start();
  }

  @AfterAll
  static void stop() {
    if (pages != null) {
      pages.stop(0);
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void thirdPartyWhepPlayerRendersTheStream() throws Exception {
    try (Browser browser = new Browser()) {
      String whep = "http://127.0.0.1:" + gateway.port() + "/whep/pattern";
      browser.driver().get("http://127.0.0.1:" + pages.getAddress().getPort() + "/index.html?url=" + whep);
      browser.awaitState("viewing", WAIT);

      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 3);
      @SuppressWarnings("unchecked")
      List<Long> numbers = (List<Long>) result.get("numbers");
      log.info("whip-whep player rendered {} frames at {}x{}, stamp latency {} ms",
          result.get("presented"), result.get("width"), result.get("height"), result.get("latencyMs"));
      assertEquals(640L, result.get("width"));
      assertEquals(360L, result.get("height"));
      ViewerPageBrowserTest.assertAtLeast25Fps(result);
      assertTrue(numbers.get(numbers.size() - 1) != numbers.get(0).longValue(), "the picture must move: " + numbers);
      assertEquals(1, gateway.sessions().count());
      // Its trickle PATCHes (sent without If-Match) and everything else went through.
      assertEquals(List.of(), browser.script("return window.problems"));

      browser.asyncScript("const done = arguments[0]; window.whep.stop().then(() => done(), (e) => done(String(e)));");
      Await.until("the session to end after the player's DELETE", () -> gateway.sessions().count() == 0, WAIT);
    }
  }

  private static void servePage(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Path file = PLAYER_DIR.resolve(path.substring(1)).normalize();
      boolean allowed = path.equals("/index.html") || path.equals("/node_modules/whip-whep/whep.js");
      if (!allowed || !file.startsWith(PLAYER_DIR.normalize()) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] body = Files.readAllBytes(file);
      exchange.getResponseHeaders().set("Content-Type",
          path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
