package io.webrtcgw.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
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
        "--window-size=1280,800",
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
