package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver. Never a downloaded browser or
 * driver: both paths are fixed, so Selenium Manager has nothing to fetch.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of(System.getProperty("gateway.chromium", "/usr/bin/chromium"));
  public static final Path CHROMEDRIVER =
      Path.of(System.getProperty("gateway.chromedriver", "/usr/bin/chromedriver"));

  /**
   * Page script that defines {@code video} (the page's video element) and {@code readStamp()},
   * which reads the pattern stamp (README, "The pattern stamp") off the frame shown now: {@code
   * {frame, time}}, or frame -1 and time 0 before the video has a size. One row of the stamp band
   * goes through a canvas.
   */
  public static final String STAMP_READER = String.join("\n",
      "const video = document.querySelector('video');",
      "const canvas = document.createElement('canvas');",
      "const ctx = canvas.getContext('2d', { willReadFrequently: true });",
      "function readStamp() {",
      "  const w = video.videoWidth, h = video.videoHeight;",
      "  if (!w || !h) return { frame: -1, time: 0 };",
      "  const band = Math.max(1, Math.floor(h / 16));",
      "  if (canvas.width !== w) { canvas.width = w; canvas.height = 1; }",
      "  ctx.drawImage(video, 0, Math.floor(band / 2), w, 1, 0, 0, w, 1);",
      "  const px = ctx.getImageData(0, 0, w, 1).data;",
      "  let word = 0n;",
      "  for (let cell = 0; cell < 64; cell++) {",
      "    const x0 = Math.floor(cell * w / 64), x1 = Math.floor((cell + 1) * w / 64);",
      "    const x = Math.floor((x0 + x1) / 2);",
      "    const lum = 0.299 * px[x * 4] + 0.587 * px[x * 4 + 1] + 0.114 * px[x * 4 + 2];",
      "    word = (word << 1n) | (lum >= 128 ? 1n : 0n);",
      "  }",
      "  return { frame: Number(word & 0xFFFFn), time: Number(word >> 16n) };",
      "}");

  /**
   * Counts rendered frames of the page's video for a while (arguments: seconds, then the async
   * callback) with requestVideoFrameCallback and reads the stamp's frame number off each one
   * through a canvas.
   */
  public static final String MEASURE_PLAYBACK = String.join("\n",
      "const [seconds, done] = arguments;",
      STAMP_READER,
      "const numbers = []; let first = null; let last = null;",
      "function onFrame(now, meta) {",
      "  if (first === null) first = { now, presented: meta.presentedFrames };",
      "  last = { now, presented: meta.presentedFrames };",
      "  const stamp = readStamp();",
      "  numbers.push(stamp.frame);",
      "  if (now - first.now < seconds * 1000) { video.requestVideoFrameCallback(onFrame); return; }",
      "  done({ width: video.videoWidth, height: video.videoHeight, numbers,",
      "         elapsedMs: last.now - first.now, presented: last.presented - first.presented,",
      "         latencyMs: Date.now() - stamp.time });",
      "}",
      "video.requestVideoFrameCallback(onFrame);");

  /** What {@link #measurePlayback} saw. */
  public record Playback(int width, int height, List<Integer> frameNumbers, double seconds, long presented, long latencyMs) {
    public double fps() {
      return presented / seconds;
    }
  }

  private final Path profile;
  private final ChromeDriver driver;

  public Browser() throws IOException {
    this(List.of(), List.of());
  }

  /**
   * Chromium started through {@code prefix} (e.g. {@code ip netns exec NAME}) with {@code
   * extraArguments}. With a prefix chromedriver talks to Chromium over a pipe rather than a
   * DevTools port, so the browser can live in a network namespace of its own while the driver
   * stays on this side's loopback.
   */
  public Browser(List<String> prefix, List<String> extraArguments) throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "Debian's chromium and chromium-driver are required (apt-get install chromium chromium-driver)");
    profile = Files.createTempDirectory("gateway-chromium-");
    ChromeOptions options = new ChromeOptions();
    if (prefix.isEmpty()) {
      options.setBinary(CHROMIUM.toFile());
    } else {
      Path wrapper = profile.resolve("chromium-wrapper.sh");
      Files.writeString(wrapper, "#!/bin/sh\nexec " + String.join(" ", prefix) + " " + CHROMIUM + " \"$@\"\n");
      wrapper.toFile().setExecutable(true);
      options.setBinary(wrapper.toFile());
      options.addArguments("--remote-debugging-pipe");
    }
    options.addArguments(extraArguments);
    // The gateway sends each viewer at most the size it shows the video at, so a test of a large
    // picture passes a larger --window-size; otherwise 1280x800.
    if (extraArguments.stream().noneMatch(argument -> argument.startsWith("--window-size="))) {
      options.addArguments("--window-size=1280,800");
    }
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--user-data-dir=" + profile.resolve("profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
  }

  public ChromeDriver driver() {
    return driver;
  }

  public Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  public Object asyncScript(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /** Measures the page's video for {@code seconds}: size, rendered frames and stamp numbers. */
  @SuppressWarnings("unchecked")
  public Playback measurePlayback(int seconds) {
    Map<String, Object> result = (Map<String, Object>) asyncScript(MEASURE_PLAYBACK, seconds);
    List<Integer> numbers = ((List<Number>) result.get("numbers")).stream().map(Number::intValue).toList();
    return new Playback(((Number) result.get("width")).intValue(), ((Number) result.get("height")).intValue(),
        numbers, ((Number) result.get("elapsedMs")).doubleValue() / 1000,
        ((Number) result.get("presented")).longValue(), ((Number) result.get("latencyMs")).longValue());
  }

  /** Waits until {@code document.documentElement.dataset.state} equals {@code state}. */
  public void awaitState(String state, Duration timeout) {
    new WebDriverWait(driver, timeout).withMessage(() -> "viewer state stayed '" + script(
            "return document.documentElement.dataset.state") + "', expected '" + state + "'")
        .until(d -> state.equals(script("return document.documentElement.dataset.state")));
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
