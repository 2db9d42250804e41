package io.webrtcgw.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Firefox} itself: values both ways, failures with messages, the network trap, and a clean end. */
class FirefoxTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static HttpServer site;
  private static Firefox firefox;

  @BeforeAll
  static void start() throws Exception {
    site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // The state changes once, 300 ms after load, as a player's would when it starts playing.
    byte[] page = ("<!doctype html><title>state</title><script>"
        + "document.documentElement.dataset.state = 'connecting';"
        + "addEventListener('load', () => setTimeout(() => { document.documentElement.dataset.state = 'playing'; }, 300));"
        + "</script>").getBytes(StandardCharsets.UTF_8);
    site.createContext("/state.html", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
    });
    site.start();
    firefox = Firefox.start();
  }

  @AfterAll
  static void stop() {
    try {
      if (firefox != null) {
        firefox.close();
      }
    } finally {
      site.stop(0);
    }
  }

  @Test
  void valuesGoBothWaysAsJson() {
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) firefox.page().call(
        "(n, text, list) => ({ doubled: n * 2, text: text + '!', length: list.length, half: n / 4, nothing: null })",
        WAIT, 21, "hi", List.of(1, "two", true));
    assertEquals(42, ((Number) result.get("doubled")).intValue());
    assertEquals("hi!", result.get("text"));
    assertEquals(3, ((Number) result.get("length")).intValue());
    assertEquals(5.25, ((Number) result.get("half")).doubleValue());
    assertTrue(result.containsKey("nothing") && result.get("nothing") == null, result.toString());

    assertEquals(7, ((Number) firefox.page().evaluate("Promise.resolve(3 + 4)")).intValue());
    assertEquals(10, ((Number) firefox.script("return arguments[0] + arguments[1]", 4, 6)).intValue());
    assertEquals("late", firefox.asyncScript("const done = arguments[1]; setTimeout(() => done(arguments[0]), 50);",
        "late"));
    assertTrue(firefox.version().startsWith("firefox/"), firefox.version());
  }

  @Test
  void aPageErrorFailsWithItsMessage() {
    AssertionError error = assertThrows(AssertionError.class,
        () -> firefox.page().evaluate("noSuchThing.property"));
    assertTrue(error.getMessage().contains("noSuchThing"), error.getMessage());
  }

  @Test
  void aCommandThatTakesTooLongFailsAndTheNextOneRuns() {
    AssertionError error = assertThrows(AssertionError.class,
        () -> firefox.page().call("() => new Promise(() => {})", Duration.ofMillis(500)));
    assertTrue(error.getMessage().contains("took more than 500 ms"), error.getMessage());
    assertEquals(2, ((Number) firefox.page().evaluate("1 + 1")).intValue());
  }

  @Test
  void awaitStateFollowsThePage() {
    firefox.navigate(siteUrl("/state.html"));
    AssertionError early = assertThrows(AssertionError.class,
        () -> firefox.awaitState("failed", Duration.ofMillis(100)));
    assertTrue(early.getMessage().contains("stayed 'connecting'"), early.getMessage());
    firefox.awaitState("playing", WAIT);
    assertEquals("playing", firefox.page().evaluate("document.documentElement.dataset.state"));
  }

  @Test
  void aRequestForAnotherHostEndsInTheTrap() {
    // loopback-check.invalid is the driver's canary: had the proxy been bypassed, it would have
    // resolved to loopback here, without DNS.
    try {
      firefox.navigate("http://loopback-check.invalid/canary");
    } catch (AssertionError expected) {
      // the trap closes the connection unanswered, so Firefox may call the load a failure
    }
    Await.until(() -> "the trap to see the request, has " + firefox.strayRequests(),
        () -> firefox.strayRequests().stream().anyMatch(line -> line.contains("loopback-check.invalid/canary")), WAIT);
    firefox.navigate("about:blank");
  }

  @Test
  void closeEndsEveryProcessAndDeletesTheProfile() throws Exception {
    Firefox own = Firefox.start();
    Path directory = own.directory();
    assertEquals(2, ((Number) own.page().evaluate("1 + 1")).intValue());
    List<ProcessHandle> processes = own.processes();
    assertTrue(processes.size() >= 3, "the driver, Firefox and a content process at least: " + describe(processes));

    own.close();
    own.close();

    assertEquals(List.of(), processes.stream().filter(ProcessHandle::isAlive).toList(), describe(processes));
    assertFalse(Files.exists(directory), directory + " is left");
    assertThrows(IllegalStateException.class, () -> own.page().evaluate("1"));
  }

  @Test
  void closeEndsFirefoxWhenTheDriverDied() throws Exception {
    Firefox own = Firefox.start();
    List<ProcessHandle> processes = own.processes();
    ProcessHandle driver = processes.get(0);
    driver.destroyForcibly();
    driver.onExit().get();

    AssertionError error = assertThrows(AssertionError.class, () -> own.page().evaluate("1"));
    assertTrue(error.getMessage().contains("driver exited"), error.getMessage());
    assertTrue(processes.stream().skip(1).anyMatch(ProcessHandle::isAlive), "Firefox outlives its driver");
    own.close();
    assertEquals(List.of(), processes.stream().filter(ProcessHandle::isAlive).toList(), describe(processes));
  }

  private static String describe(List<ProcessHandle> processes) {
    return Arrays.toString(processes.stream()
        .map(p -> p.pid() + (p.isAlive() ? " alive " : " ended ") + p.info().command().orElse("")).toArray());
  }

  private static String siteUrl(String path) {
    return "http://127.0.0.1:" + site.getAddress().getPort() + path;
  }
}
