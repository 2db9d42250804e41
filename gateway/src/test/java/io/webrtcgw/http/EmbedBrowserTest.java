package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.webrtcgw.Gateway;
import io.webrtcgw.config.Limits;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's player inside someone else's page: a page served by a different origin (another
 * host name and port) embeds the stream once as an {@code <iframe>} of /embed and once as the
 * {@code <gateway-player>} element imported cross-origin; both render the stream's frames.
 */
class EmbedBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(EmbedBrowserTest.class);
  private static final String TOKEN = "embed-token-4242";
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Counts frames the element's shadow <video> presents for a few seconds, and reads their stamp. */
  private static final String MEASURE_ELEMENT = String.join("\n",
      "const [seconds, done] = arguments;",
      "const video = document.querySelector('gateway-player').video;",
      "let first = null;",
      "function onFrame(now, meta) {",
      "  first ??= { now, presented: meta.presentedFrames };",
      "  if (now - first.now < seconds * 1000) { video.requestVideoFrameCallback(onFrame); return; }",
      "  done({ width: video.videoWidth, height: video.videoHeight, presented: meta.presentedFrames - first.presented,",
      "         elapsedMs: now - first.now, shown: video.getBoundingClientRect().width });",
      "}",
      "video.requestVideoFrameCallback(onFrame);");

  private static Gateway gateway;
  private static HttpServer site;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(Limits.DEFAULT,
        new StreamConfig("pattern", "pattern:640x360@30", false, 0, List.of(TOKEN)));
    // The embedding site: 127.0.0.1 on its own port, while the gateway is addressed as localhost.
    String gatewayUrl = "http://localhost:" + gateway.port();
    site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    page("/iframe.html", "<!doctype html><title>Embedding site</title><h1>Our page</h1>"
        + "<iframe id=\"player\" width=\"640\" height=\"360\" allow=\"autoplay; fullscreen\" style=\"border:0\" "
        + "src=\"" + gatewayUrl + "/embed/pattern?token=" + TOKEN + "&fit=cover&muted=1\"></iframe>");
    page("/element.html", "<!doctype html><title>Embedding site</title><h1>Our page</h1>"
        + "<script type=\"module\" src=\"" + gatewayUrl + "/web/gateway-player.js\"></script>"
        + "<gateway-player src=\"" + gatewayUrl + "\" stream=\"pattern\" token=\"" + TOKEN + "\" "
        + "style=\"width: 480px\"></gateway-player>");
    site.start();
  }

  private static void page(String path, String html) {
    site.createContext(path, exchange -> {
      byte[] body = html.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  @AfterAll
  static void stop() {
    if (site != null) {
      site.stop(0);
    }
    gateway.close();
  }

  private static String siteUrl(String path) {
    return "http://127.0.0.1:" + site.getAddress().getPort() + path;
  }

  @Test
  void iframeFromAnotherOriginRendersFrames() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get(siteUrl("/iframe.html"));
      browser.driver().switchTo().frame("player");
      browser.awaitState("playing", WAIT);
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(ViewerPageBrowserTest.MEASURE, 3);
      log.info("iframe rendered {}", result);
      assertEquals(640L, result.get("width"));
      assertEquals(360L, result.get("height"));
      assertTrue(((Number) result.get("presented")).longValue() >= 45, "frames in 3 s: " + result);
      @SuppressWarnings("unchecked")
      List<Long> numbers = (List<Long>) result.get("numbers");
      assertTrue(!numbers.get(numbers.size() - 1).equals(numbers.get(0)), "the stamp's frame number advances: " + numbers);
      assertEquals("cover", browser.script("return getComputedStyle(document.querySelector('video')).objectFit"));
      assertEquals(false, browser.script("return document.querySelector('video').controls"));
      assertEquals(1, gateway.sessions().count());
    }
  }

  @Test
  void customElementFromAnotherOriginRendersFrames() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get(siteUrl("/element.html"));
      new WebDriverWait(browser.driver(), WAIT)
          .withMessage(() -> "element state: " + browser.script(
              "return document.querySelector('gateway-player')?.dataset.state"))
          .until(d -> "playing".equals(browser.script("return document.querySelector('gateway-player').dataset.state")));
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(MEASURE_ELEMENT, 3);
      log.info("element rendered {}", result);
      assertEquals(640L, result.get("width"));
      assertTrue(((Number) result.get("presented")).longValue() >= 45, "frames in 3 s: " + result);
      assertEquals(480.0, ((Number) result.get("shown")).doubleValue(), 1.0);
      assertEquals(true, browser.script("return document.querySelector('gateway-player').video.muted"));

      // Removing the element ends its session.
      browser.script("document.querySelector('gateway-player').remove()");
      io.webrtcgw.testing.Await.until("the session ends with the element", () -> gateway.sessions().count() == 0,
          Duration.ofSeconds(15));
    }
  }
}
