package io.webrtcgw.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's Firefox ESR, headless, driven over WebDriver BiDi by puppeteer-core in a Node child
 * process ({@code gateway/src/test/firefox/driver.js}), one JSON line per command each way. Never
 * a downloaded browser: puppeteer-core is given {@code /usr/bin/firefox-esr} and downloads
 * nothing. Firefox gets a fresh profile in a temporary directory, its background services off,
 * and a proxy for everything but loopback that is a {@link RequestTrap}: {@link #strayRequests()}
 * is what it tried to send elsewhere.
 */
public final class Firefox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Firefox.class);
  public static final Path FIREFOX = Path.of(System.getProperty("gateway.firefox", "/usr/bin/firefox-esr"));
  private static final Path DRIVER_DIR = NodeModules.projectDirectory("gateway/src/test/firefox");
  private static final Path PUPPETEER = DRIVER_DIR.resolve("node_modules/puppeteer-core/package.json");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  /** How much longer than the driver's own deadline this side waits for an answer. */
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final int STDERR_KEPT = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final RequestTrap trap;
  private final Process driver;
  private final Thread answers;
  private final Thread diagnostics;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Deque<String> stderr = new ArrayDeque<>();
  private final Set<ProcessHandle> processes = new LinkedHashSet<>();
  private final Document top = new Document(null);
  private String version = "";

  private Firefox(Path directory, RequestTrap trap, Process driver) {
    this.directory = directory;
    this.trap = trap;
    this.driver = driver;
    processes.add(driver.toHandle());
    this.answers = new Thread(() -> readAnswers(driver.getInputStream()), "firefox-driver-out-" + driver.pid());
    this.diagnostics = new Thread(() -> readDiagnostics(driver.getErrorStream()), "firefox-driver-err-" + driver.pid());
    answers.setDaemon(true);
    diagnostics.setDaemon(true);
    answers.start();
    diagnostics.start();
  }

  /**
   * Installs the pinned driver (npm ci) if needed, starts it and Firefox, and waits until Firefox
   * takes commands; skips the test when Firefox ESR is not installed.
   */
  public static Firefox start() throws IOException, InterruptedException {
    Assumptions.assumeTrue(Files.isExecutable(FIREFOX),
        "Debian's Firefox ESR is required (apt-get install firefox-esr)");
    NodeModules.install(DRIVER_DIR, PUPPETEER);
    Path directory = Files.createTempDirectory("gateway-firefox-");
    RequestTrap trap = new RequestTrap();
    Process driver;
    try {
      ProcessBuilder builder = new ProcessBuilder("node", DRIVER_DIR.resolve("driver.js").toString(),
          FIREFOX.toString(), directory.toString(), String.valueOf(trap.port()));
      builder.environment().put("PUPPETEER_SKIP_DOWNLOAD", "1");
      driver = builder.start();
    } catch (IOException e) {
      trap.close();
      deleteTree(directory);
      throw new AssertionError("node is needed to drive Firefox (Node.js with npm): " + e.getMessage());
    }
    Firefox firefox = new Firefox(directory, trap, driver);
    try {
      firefox.awaitReady();
    } catch (RuntimeException | Error | InterruptedException e) {
      firefox.close();
      throw e;
    }
    return firefox;
  }

  private void awaitReady() throws InterruptedException {
    JsonNode hello;
    try {
      hello = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Firefox did not start within " + START_TIMEOUT.toSeconds() + " s" + diagnosis());
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause().getMessage() + diagnosis());
    }
    if (!hello.path("ready").asBoolean()) {
      throw new AssertionError("Firefox did not start: " + hello.path("error").asText() + diagnosis());
    }
    version = hello.path("version").asText();
    long pid = hello.path("pid").asLong(-1);
    synchronized (processes) {
      ProcessHandle.of(pid).ifPresent(processes::add);
    }
    log.info("{} started (pid {}), driven by puppeteer-core over WebDriver BiDi (driver pid {})", version, pid,
        driver.pid());
  }

  /** The temporary directory of Firefox's profile (and home), deleted by {@link #close()}. */
  Path directory() {
    return directory;
  }

  /** What Firefox calls itself, e.g. {@code firefox/153.8.0}. */
  public String version() {
    return version;
  }

  /** Loads {@code url} in the one tab and waits for its load event. */
  public void navigate(String url) {
    ObjectNode command = JSON.createObjectNode().put("op", "navigate").put("url", url);
    send(command, COMMAND_TIMEOUT, "navigating to " + url);
  }

  /** The tab's top document. */
  public Document page() {
    return top;
  }

  /** The document of the {@code <iframe>} that CSS selector {@code iframe} picks in the top document. */
  public Document frame(String iframe) {
    return new Document(iframe);
  }

  public Object script(String body, Object... args) {
    return top.script(body, args);
  }

  public Object asyncScript(String body, Object... args) {
    return top.asyncScript(body, args);
  }

  public Browser.Playback measurePlayback(int seconds) {
    return top.measurePlayback(seconds);
  }

  public void awaitState(String state, Duration timeout) {
    top.awaitState(state, timeout);
  }

  /**
   * What Firefox tried to send anywhere but loopback (through its proxy, which is the trap): the
   * first line of each request, e.g. {@code CONNECT host:443 HTTP/1.1}.
   */
  public List<String> strayRequests() {
    return trap.requests();
  }

  /** The driver, Firefox and Firefox's own processes, as last seen: for checking that close ends them. */
  public List<ProcessHandle> processes() {
    synchronized (processes) {
      // Through Firefox's own handle too: if the driver died, Firefox is nobody's descendant.
      for (ProcessHandle process : List.copyOf(processes)) {
        process.descendants().forEach(processes::add);
      }
      return List.copyOf(processes);
    }
  }

  /** One document: the tab's, or an iframe's; scripts run in it as in {@link Browser}. */
  public final class Document {
    private final String frame;

    private Document(String frame) {
      this.frame = frame;
    }

    /** The value of a JavaScript expression (a promise is awaited), as JSON makes it. */
    public Object evaluate(String expression) {
      return evaluate(expression, COMMAND_TIMEOUT);
    }

    public Object evaluate(String expression, Duration timeout) {
      ObjectNode command = JSON.createObjectNode().put("op", "evaluate").put("expression", expression);
      return value(run(command, timeout, "evaluating " + abbreviated(expression)));
    }

    /** Calls a JavaScript function given as source, e.g. {@code (a, b) => a + b}, and awaits what it returns. */
    public Object call(String function, Duration timeout, Object... args) {
      ObjectNode command = JSON.createObjectNode().put("op", "call").put("function", function);
      command.set("args", JSON.valueToTree(List.of(args)));
      return value(run(command, timeout, "calling " + abbreviated(function)));
    }

    /** A function body, as Selenium runs it: {@code arguments} holds {@code args}, {@code return} gives the result. */
    public Object script(String body, Object... args) {
      return call("function () {\n" + body + "\n}", COMMAND_TIMEOUT, args);
    }

    /**
     * A function body, as Selenium runs an async script: the last of {@code arguments} is the
     * callback that gives the result.
     */
    public Object asyncScript(String body, Object... args) {
      return asyncScript(body, COMMAND_TIMEOUT, args);
    }

    public Object asyncScript(String body, Duration timeout, Object... args) {
      return call(String.join("\n",
          "function (...args) {",
          "  return new Promise((resolve) => {",
          "    (function () {",
          body,
          "    }).apply(this, [...args, resolve]);",
          "  });",
          "}"), timeout, args);
    }

    /** Measures this document's video for {@code seconds}, as {@link Browser#measurePlayback} does. */
    @SuppressWarnings("unchecked")
    public Browser.Playback measurePlayback(int seconds) {
      Map<String, Object> result = (Map<String, Object>) asyncScript(Browser.MEASURE_PLAYBACK,
          Duration.ofSeconds(seconds).plus(COMMAND_TIMEOUT), seconds);
      List<Integer> numbers = ((List<Number>) result.get("numbers")).stream().map(Number::intValue).toList();
      return new Browser.Playback(((Number) result.get("width")).intValue(), ((Number) result.get("height")).intValue(),
          numbers, ((Number) result.get("elapsedMs")).doubleValue() / 1000,
          ((Number) result.get("presented")).longValue(), ((Number) result.get("latencyMs")).longValue());
    }

    /**
     * Waits until {@code document.documentElement.dataset.state} equals {@code state}, on the
     * page's own attribute changes rather than by polling.
     */
    @SuppressWarnings("unchecked")
    public void awaitState(String state, Duration timeout) {
      Map<String, Object> result = (Map<String, Object>) asyncScript(String.join("\n",
          "const [state, ms, done] = arguments;",
          "const root = document.documentElement;",
          "if (root.dataset.state === state) { done({ reached: true }); return; }",
          "let timer;",
          "const observer = new MutationObserver(() => {",
          "  if (root.dataset.state !== state) return;",
          "  observer.disconnect(); clearTimeout(timer); done({ reached: true });",
          "});",
          "observer.observe(root, { attributes: true, attributeFilter: ['data-state'] });",
          "timer = setTimeout(() => { observer.disconnect(); done({ reached: false, state: root.dataset.state ?? null }); }, ms);"),
          timeout.plus(COMMAND_TIMEOUT), state, timeout.toMillis());
      if (!Boolean.TRUE.equals(result.get("reached"))) {
        throw new AssertionError("viewer state stayed '" + result.get("state") + "', expected '" + state + "' within "
            + timeout.toMillis() + " ms" + (frame == null ? "" : " (in " + frame + ")"));
      }
    }

    private JsonNode run(ObjectNode command, Duration timeout, String what) {
      if (frame != null) {
        command.put("frame", frame);
      }
      return send(command, timeout, what + (frame == null ? "" : " in " + frame));
    }
  }

  private static Object value(JsonNode answer) {
    try {
      return JSON.treeToValue(answer.get("value"), Object.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError("Firefox's answer is not a value: " + answer, e);
    }
  }

  /** Sends one command and waits for its answer; the driver itself gives up after {@code timeout}. */
  private JsonNode send(ObjectNode command, Duration timeout, String what) {
    if (closed.get()) {
      throw new IllegalStateException("Firefox is closed");
    }
    if (!driver.isAlive()) {
      throw new AssertionError("the Firefox driver exited with code " + driver.exitValue() + " before " + what
          + diagnosis());
    }
    long id = ids.incrementAndGet();
    command.put("id", id).put("timeoutMs", timeout.toMillis());
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      write(command);
      JsonNode result = answer.get(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
      if (!result.path("ok").asBoolean()) {
        throw new AssertionError("Firefox failed " + what + ": " + result.path("error").asText());
      }
      return result;
    } catch (TimeoutException e) {
      throw new AssertionError("Firefox did not answer " + what + " within " + timeout.plus(GRACE).toMillis() + " ms"
          + diagnosis());
    } catch (ExecutionException e) {
      throw new AssertionError("Firefox failed " + what + ": " + e.getCause().getMessage() + diagnosis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while " + what);
    } finally {
      pending.remove(id);
    }
  }

  private void write(ObjectNode command) {
    try {
      byte[] line = (JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (driver) {
        OutputStream in = driver.getOutputStream();
        in.write(line);
        in.flush();
      }
    } catch (IOException e) {
      throw new AssertionError("the Firefox driver does not take commands (" + e.getMessage() + ")" + diagnosis());
    }
  }

  private void readAnswers(InputStream out) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        JsonNode message;
        try {
          message = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          log.warn("firefox driver wrote a line that is not JSON: {}", line);
          continue;
        }
        if (message.has("ready")) {
          ready.complete(message);
          continue;
        }
        CompletableFuture<JsonNode> answer = pending.get(message.path("id").asLong(-1));
        if (answer != null) {
          answer.complete(message);
        }
      }
    } catch (IOException e) {
      // the pipe closed with the process; what is pending fails below
    }
    String ended = "the Firefox driver exited"
        + (driver.isAlive() ? "" : " with code " + driver.exitValue());
    IllegalStateException gone = new IllegalStateException(ended);
    ready.completeExceptionally(gone);
    pending.values().forEach(answer -> answer.completeExceptionally(gone));
  }

  private void readDiagnostics(InputStream err) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        log.info("firefox: {}", line);
        synchronized (stderr) {
          if (stderr.size() == STDERR_KEPT) {
            stderr.removeFirst();
          }
          stderr.addLast(line);
        }
      }
    } catch (IOException e) {
      // the pipe closed with the process
    }
  }

  /** The driver's last lines of stderr, for a failure message. */
  private String diagnosis() {
    synchronized (stderr) {
      List<String> last = new ArrayList<>(stderr);
      List<String> tail = last.subList(Math.max(0, last.size() - 30), last.size());
      return tail.isEmpty() ? "" : "; the driver's last stderr lines:\n" + String.join("\n", tail);
    }
  }

  private static String abbreviated(String code) {
    String flat = code.strip().replaceAll("\\s+", " ");
    return flat.length() <= 80 ? flat : flat.substring(0, 77) + "...";
  }

  /**
   * Closes Firefox through the driver, then ends whatever of the driver, Firefox and its content
   * processes is still running, and deletes the profile. Fails if a process outlives it.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<ProcessHandle> tree = processes();
    boolean asked = false;
    try {
      if (driver.isAlive()) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        write(JSON.createObjectNode().put("id", id).put("op", "close"));
        answer.get(20, TimeUnit.SECONDS);
        asked = true;
      }
    } catch (AssertionError | ExecutionException | TimeoutException e) {
      log.warn("Firefox did not close by itself ({}); ending its processes", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        // Firefox's content processes wind down on their own a moment after the browser; without
        // the driver nobody told Firefox to quit, so it is ended at once.
        end(tree, asked ? Duration.ofSeconds(15) : Duration.ZERO);
      } finally {
        trap.close();
        deleteTree(directory);
      }
    }
    List<ProcessHandle> left = tree.stream().filter(ProcessHandle::isAlive).toList();
    if (!left.isEmpty()) {
      throw new AssertionError("processes outlived Firefox's close: " + left.stream()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
    }
  }

  private void end(List<ProcessHandle> tree, Duration grace) {
    try {
      long deadline = System.nanoTime() + grace.toNanos();
      for (ProcessHandle process : tree) {
        try {
          process.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          break;
        }
      }
      for (ProcessHandle process : tree) {
        if (process.isAlive()) {
          log.warn("ending leftover process {} {}", process.pid(), process.info().commandLine().orElse("?"));
          process.destroyForcibly();
        }
      }
      for (ProcessHandle process : tree) {
        process.onExit().get(10, TimeUnit.SECONDS);
      }
      answers.join(5000);
      diagnostics.join(5000);
    } catch (InterruptedException e) {
      tree.forEach(ProcessHandle::destroyForcibly);
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("a Firefox process did not end: {}", e.toString());
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      log.warn("could not delete {}: {}", root, e.toString());
    }
  }
}
