package io.webrtcgw.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.webrtcgw.Gateway;
import io.webrtcgw.config.StreamConfig;
import io.webrtcgw.testing.Browser;
import io.webrtcgw.testing.TestGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real headless Chromium opens the viewer page and plays the pattern stream. */
class ViewerPageBrowserTest {
  private static final Logger log = LoggerFactory.getLogger(ViewerPageBrowserTest.class);

  /** See {@link Browser#MEASURE_PLAYBACK}. */
  static final String MEASURE = Browser.MEASURE_PLAYBACK;

  private static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(StreamConfig.of("pattern", "pattern:640x360@30"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** What {@link #MEASURE} saw must be at least 25 frames a second (the pattern sends 30). */
  static void assertAtLeast25Fps(Map<String, Object> measured) {
    double seconds = ((Number) measured.get("elapsedMs")).doubleValue() / 1000;
    long presented = ((Number) measured.get("presented")).longValue();
    assertTrue(seconds >= 1.9, "measured for only " + seconds + " s");
    assertTrue(presented / seconds >= 25, "rendered " + presented + " frames in " + seconds + " s, under 25 fps");
  }

  @Test
  void rendersThePatternAtFullRateForTenSeconds() throws Exception {
    try (Browser browser = new Browser()) {
      browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/pattern");
      browser.awaitState("playing", Duration.ofSeconds(20));
      @SuppressWarnings("unchecked")
      Map<String, Object> result = (Map<String, Object>) browser.asyncScript(MEASURE, 10);
      long width = (Long) result.get("width");
      long height = (Long) result.get("height");
      double elapsed = ((Number) result.get("elapsedMs")).doubleValue() / 1000;
      long presented = ((Number) result.get("presented")).longValue();
      double fps = presented / elapsed;
      @SuppressWarnings("unchecked")
      List<Long> numbers = (List<Long>) result.get("numbers");
      log.info("browser rendered {} frames in {} s = {} fps, {}x{}, stamp latency {} ms",
          presented, elapsed, String.format("%.1f", fps), width, height, result.get("latencyMs"));

      assertEquals(640, width);
      assertEquals(360, height);
      assertTrue(elapsed >= 9.9, "measured for " + elapsed + " s");
      assertTrue(fps >= 25, "rendered " + fps + " fps, expected at least 25");
      int advanced = 0;
      for (int i = 1; i < numbers.size(); i++) {
        int step = (int) ((numbers.get(i) - numbers.get(i - 1)) & 0xFFFF);
        assertTrue(step < 100, "stamp frame numbers must advance: " + numbers.get(i - 1) + " then " + numbers.get(i));
        if (step > 0) {
          advanced++;
        }
      }
      assertTrue(advanced >= 0.9 * numbers.size() - 1,
          "frame numbers advanced on only " + advanced + " of " + numbers.size() + " frames");
      assertEquals(1, gateway.sessions().count());
    }
  }

  @Test
  void firstFrameArrivesQuicklyAfterPageLoad() throws Exception {
    List<Double> loads = new ArrayList<>();
    try (Browser browser = new Browser()) {
      for (int i = 0; i < 10; i++) {
        browser.driver().get("http://127.0.0.1:" + gateway.port() + "/view/pattern");
        browser.awaitState("playing", Duration.ofSeconds(20));
        Object firstFrame = browser.script("return window.player.stats().firstFrameMs");
        loads.add(((Number) firstFrame).doubleValue());
        browser.driver().get("about:blank");
      }
    }
    Collections.sort(loads);
    double median = (loads.get(4) + loads.get(5)) / 2;
    log.info("page load to first rendered frame over 10 loads: median {} ms, all {}", median, loads);
    System.out.printf("TTFF page-load-to-first-frame median_ms=%.0f loads=%s%n", median, loads);
    // Functional bounds with room for a busy CI machine; the benchmark measures the real figures.
    assertTrue(median <= 1000, "the median load took " + median + " ms to its first frame");
    assertTrue(loads.get(9) <= 2500, "the slowest load took " + loads.get(9) + " ms to its first frame");
  }
}
